package io.axlearn.core.init;

import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * Which axes of a parameter are its input (fan-in) and output (fan-out) axes; the remaining axes
 * (convolution kernel axes) multiply both fans, as in axlearn's {@code FanAxes}.
 *
 * <p>Linear weight {@code [in, out]}: {@code FanAxes.of(0, 1)}. Conv2d weight {@code [out, in, kh,
 * kw]}: {@code FanAxes.of(1, 0)} (receptive field 2-3 multiplies both).
 *
 * @param inAxes axes whose sizes multiply into fan-in
 * @param outAxes axes whose sizes multiply into fan-out
 * @param batchAxes axes that index independent matrices (stacked heads); counted in neither fan
 */
public record FanAxes(List<Integer> inAxes, List<Integer> outAxes, List<Integer> batchAxes) {

    /** No fan information: fan-based initialisers cannot be used. */
    public static final FanAxes NONE = new FanAxes(List.of(), List.of(), List.of());

    public FanAxes {
        inAxes = List.copyOf(inAxes);
        outAxes = List.copyOf(outAxes);
        batchAxes = List.copyOf(batchAxes);
    }

    /** One input axis and one output axis. */
    public static FanAxes of(int inAxis, int outAxis) {
        return new FanAxes(List.of(inAxis), List.of(outAxis), List.of());
    }

    /** Whether the fans are defined. */
    public boolean isDefined() {
        return !inAxes.isEmpty() || !outAxes.isEmpty();
    }

    /** Product of the sizes of the axes that are none of in, out or batch. */
    private long receptiveField(Shape shape) {
        long field = 1;
        for (int i = 0; i < shape.dimension(); i++) {
            if (!inAxes.contains(i) && !outAxes.contains(i) && !batchAxes.contains(i)) {
                field *= shape.get(i);
            }
        }
        return field;
    }

    private static long product(Shape shape, List<Integer> axes) {
        long p = 1;
        for (int a : axes) {
            p *= shape.get(a);
        }
        return p;
    }

    /** Fan-in of a parameter of this shape. */
    public double fanIn(Shape shape) {
        return (double) product(shape, inAxes) * receptiveField(shape);
    }

    /** Fan-out of a parameter of this shape. */
    public double fanOut(Shape shape) {
        return (double) product(shape, outAxes) * receptiveField(shape);
    }

    @Override
    public String toString() {
        if (!isDefined()) {
            return "-";
        }
        return "in="
                + inAxes
                + " out="
                + outAxes
                + (batchAxes.isEmpty() ? "" : " batch=" + batchAxes);
    }
}

package io.axlearn.core.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/** Padding arithmetic shared by convolutions and pooling over {@code [N, C, spatial...]} inputs. */
final class ConvSupport {
    private ConvSupport() {}

    /**
     * Pads {@code x}'s spatial axes as {@code padding} asks (with {@code value}) and returns the
     * padded input; when every axis is symmetric, returns {@code x} and writes the symmetric
     * amounts into {@code symmetric} for the operator to apply itself.
     */
    static NDArray pad(
            NDArray x,
            ConvPadding padding,
            List<Integer> kernel,
            List<Integer> strides,
            List<Integer> dilation,
            long[] symmetric,
            double value) {
        int spatial = kernel.size();
        Shape s = x.getShape();
        int[][] amounts = new int[spatial][];
        boolean allSymmetric = true;
        for (int i = 0; i < spatial; i++) {
            amounts[i] =
                    padding.amounts(
                            i, s.get(2 + i), kernel.get(i), strides.get(i), dilation.get(i));
            allSymmetric &= amounts[i][0] == amounts[i][1];
        }
        if (allSymmetric) {
            for (int i = 0; i < spatial; i++) {
                symmetric[i] = amounts[i][0];
            }
            return x;
        }
        // torch's pad lists the last axis first: (last_before, last_after, previous_before, ...).
        long[] pads = new long[2 * spatial];
        for (int i = 0; i < spatial; i++) {
            int axis = spatial - 1 - i;
            pads[2 * i] = amounts[axis][0];
            pads[2 * i + 1] = amounts[axis][1];
            symmetric[axis] = 0;
        }
        return x.pad(new Shape(pads), value);
    }

    static Shape shape(List<Integer> values) {
        return new Shape(values.stream().mapToLong(Integer::longValue).toArray());
    }
}

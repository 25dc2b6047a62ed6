package io.axlearn.core.module;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.init.FanAxes;
import io.axlearn.core.init.Initializer;

/**
 * Everything about a parameter except its values, known from the config without allocating.
 *
 * @param shape the parameter's shape
 * @param dtype its element type
 * @param initializer its own initialiser, or {@code null} to use the layer's {@link
 *     io.axlearn.core.init.ParamInit} rule for its name
 * @param fanAxes its fan axes, for fan-scaled initialisers
 * @param weightDecayScale multiplier of the optimiser's weight decay (0 for biases and norms)
 * @param trainable whether optimisers update it (false for BatchNorm's moving statistics, which
 *     change through state updates)
 */
public record ParamSpec(
        Shape shape,
        DataType dtype,
        Initializer.Config<?> initializer,
        FanAxes fanAxes,
        double weightDecayScale,
        boolean trainable) {

    /** A float32 weight with fan axes, initialised by the layer's rule for its name. */
    public static ParamSpec weight(Shape shape, FanAxes fan) {
        return new ParamSpec(shape, DataType.FLOAT32, null, fan, 1.0, true);
    }

    /** A float32 vector of zeros without weight decay (a bias). */
    public static ParamSpec bias(long dim) {
        return new ParamSpec(
                new Shape(dim), DataType.FLOAT32, Initializer.constant(0), FanAxes.NONE, 0.0, true);
    }

    /** A float32 vector of ones without weight decay (a norm scale). */
    public static ParamSpec scale(long dim) {
        return new ParamSpec(
                new Shape(dim), DataType.FLOAT32, Initializer.constant(1), FanAxes.NONE, 0.0, true);
    }

    /** A non-trainable float32 statistic with a constant initial value. */
    public static ParamSpec statistic(long dim, double initialValue) {
        return new ParamSpec(
                new Shape(dim),
                DataType.FLOAT32,
                Initializer.constant(initialValue),
                FanAxes.NONE,
                0.0,
                false);
    }

    /** This spec with its own initialiser. */
    public ParamSpec withInitializer(Initializer.Config<?> init) {
        return new ParamSpec(shape, dtype, init.copy(), fanAxes, weightDecayScale, trainable);
    }

    /** This spec, trainable or not. */
    public ParamSpec withTrainable(boolean v) {
        return new ParamSpec(shape, dtype, initializer, fanAxes, weightDecayScale, v);
    }

    /** This spec with another weight-decay scale. */
    public ParamSpec withWeightDecayScale(double scale) {
        return new ParamSpec(shape, dtype, initializer, fanAxes, scale, trainable);
    }
}

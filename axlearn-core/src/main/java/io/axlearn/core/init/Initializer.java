package io.axlearn.core.init;

import ai.djl.ndarray.types.Shape;
import io.axlearn.core.config.FunctionConfig;
import io.axlearn.core.config.Required;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Fills a new parameter with values. Initialisers draw from a Java {@link SplittableRandom} seeded
 * per parameter path, so a model's initial values depend only on the seed and the path, never on
 * the order in which parameters are created, nor on the engine.
 */
public interface Initializer {

    /**
     * Values for a parameter of {@code shape} in row-major order.
     *
     * @param shape the parameter's shape
     * @param fan its fan axes (used by fan-scaled initialisers)
     * @param random the parameter's own random stream
     */
    float[] sample(Shape shape, FanAxes fan, SplittableRandom random);

    /** Short description for parameter-spec dumps: {@code normal(0.0,0.02)}. */
    String describe();

    /** Base of initialiser configs. */
    abstract class Config<S extends Config<S>> extends FunctionConfig<S, Initializer> {}

    /** Every value equal to {@code value}. */
    final class Constant extends Config<Constant> {
        /** The value. */
        private double value;

        /** Sets the value. */
        public Constant value(double v) {
            return set(() -> value = v);
        }

        @Override
        protected Initializer create() {
            float v = (float) value;
            String text = "constant(" + value + ")";
            return new Initializer() {
                @Override
                public float[] sample(Shape shape, FanAxes fan, SplittableRandom random) {
                    float[] out = new float[Math.toIntExact(shape.size())];
                    java.util.Arrays.fill(out, v);
                    return out;
                }

                @Override
                public String describe() {
                    return text;
                }
            };
        }
    }

    /** Normal with the given mean and standard deviation. */
    final class Normal extends Config<Normal> {
        /** Mean. */
        private double mean = 0;

        /** Standard deviation; must be positive. */
        @Required private Double std;

        /** Sets the mean. */
        public Normal mean(double v) {
            return set(() -> mean = v);
        }

        /** Sets the standard deviation. */
        public Normal std(double v) {
            return set(() -> std = v);
        }

        @Override
        protected void validate() {
            if (std <= 0) {
                throw invalid("std", "must be positive, got " + std);
            }
        }

        @Override
        protected Initializer create() {
            double m = mean;
            double s = std;
            return of(
                    "normal(" + m + "," + s + ")",
                    (shape, fan, r) -> fill(shape, () -> m + s * r.nextGaussian()));
        }
    }

    /**
     * Normal with the given standard deviation, redrawn outside {@code [-2 std, 2 std]} (the
     * result's standard deviation is about {@code 0.88 std}, like torch's {@code trunc_normal_}).
     */
    final class TruncatedNormal extends Config<TruncatedNormal> {
        /** Standard deviation of the normal before truncation; must be positive. */
        @Required private Double std;

        /** Sets the standard deviation. */
        public TruncatedNormal std(double v) {
            return set(() -> std = v);
        }

        @Override
        protected Initializer create() {
            double s = std;
            return of(
                    "truncated_normal(" + s + ")",
                    (shape, fan, r) -> fill(shape, () -> s * truncated(r)));
        }
    }

    /** Uniform on {@code [low, high)}. */
    final class Uniform extends Config<Uniform> {
        /** Lower bound. */
        private double low = -0.05;

        /** Upper bound; must exceed {@code low}. */
        private double high = 0.05;

        /** Sets the bounds. */
        public Uniform range(double lo, double hi) {
            return set(
                    () -> {
                        low = lo;
                        high = hi;
                    });
        }

        @Override
        protected Initializer create() {
            double lo = low;
            double hi = high;
            return of(
                    "uniform(" + lo + "," + hi + ")",
                    (shape, fan, r) -> fill(shape, () -> lo + (hi - lo) * r.nextDouble()));
        }
    }

    /** Which fan a fan-scaled initialiser divides by. */
    enum Fan {
        IN,
        OUT,
        AVG
    }

    /** Distribution of a fan-scaled initialiser. */
    enum Distribution {
        NORMAL,
        TRUNCATED_NORMAL,
        UNIFORM
    }

    /**
     * Fan-scaled initialiser (axlearn's {@code WeightInitializer}, Keras' variance scaling): values
     * with variance {@code scale / fan}. Xavier/Glorot uniform is {@code scale=1, fan=AVG,
     * UNIFORM}; Kaiming/He normal is {@code scale=2, fan=IN, NORMAL} (<a
     * href="https://arxiv.org/abs/1502.01852">He et al.</a>, <a
     * href="https://proceedings.mlr.press/v9/glorot10a.html">Glorot and Bengio</a>).
     */
    final class FanScaled extends Config<FanScaled> {
        /** Variance numerator. */
        private double scale = 1.0;

        /** Which fan to divide by. */
        private Fan fan = Fan.AVG;

        /** The distribution. */
        private Distribution distribution = Distribution.UNIFORM;

        /** Sets the variance numerator. */
        public FanScaled scale(double v) {
            return set(() -> scale = v);
        }

        /** Sets which fan to divide by. */
        public FanScaled fan(Fan v) {
            return set(() -> fan = v);
        }

        /** Sets the distribution. */
        public FanScaled distribution(Distribution v) {
            return set(() -> distribution = v);
        }

        @Override
        protected Initializer create() {
            double sc = scale;
            Fan f = fan;
            Distribution d = distribution;
            String text =
                    "fan_"
                            + f.name().toLowerCase(Locale.ROOT)
                            + "_"
                            + d.name().toLowerCase(Locale.ROOT)
                            + "("
                            + sc
                            + ")";
            return of(
                    text,
                    (shape, fanAxes, r) -> {
                        if (!fanAxes.isDefined()) {
                            throw new IllegalArgumentException(
                                    text + " needs fan axes; the parameter declares none");
                        }
                        double n =
                                switch (f) {
                                    case IN -> fanAxes.fanIn(shape);
                                    case OUT -> fanAxes.fanOut(shape);
                                    case AVG -> (fanAxes.fanIn(shape) + fanAxes.fanOut(shape)) / 2;
                                };
                        double std = Math.sqrt(sc / n);
                        return switch (d) {
                            case NORMAL -> fill(shape, () -> std * r.nextGaussian());
                            // Divide by the std of a unit normal truncated at 2 (0.8796).
                            case TRUNCATED_NORMAL ->
                                    fill(shape, () -> std / 0.87962566103423978 * truncated(r));
                            case UNIFORM -> {
                                double bound = Math.sqrt(3) * std;
                                yield fill(shape, () -> bound * (2 * r.nextDouble() - 1));
                            }
                        };
                    });
        }
    }

    /** Xavier/Glorot uniform: {@code FanScaled(scale=1, fan=AVG, UNIFORM)}. */
    static FanScaled xavierUniform() {
        return new FanScaled();
    }

    /** Kaiming/He normal: {@code FanScaled(scale=2, fan=IN, NORMAL)}. */
    static FanScaled kaimingNormal() {
        return new FanScaled().scale(2).fan(Fan.IN).distribution(Distribution.NORMAL);
    }

    /** A constant initialiser config. */
    static Constant constant(double value) {
        return new Constant().value(value);
    }

    /** A normal initialiser config. */
    static Normal normal(double std) {
        return new Normal().std(std);
    }

    /** A truncated normal initialiser config. */
    static TruncatedNormal truncatedNormal(double std) {
        return new TruncatedNormal().std(std);
    }

    /** An initialiser from a description and a sampling function. */
    private static Initializer of(String text, Sampler sampler) {
        return new Initializer() {
            @Override
            public float[] sample(Shape shape, FanAxes fan, SplittableRandom random) {
                return sampler.sample(shape, fan, random);
            }

            @Override
            public String describe() {
                return text;
            }
        };
    }

    /** The sampling part of an initialiser. */
    @FunctionalInterface
    interface Sampler {
        float[] sample(Shape shape, FanAxes fan, SplittableRandom random);
    }

    private static float[] fill(Shape shape, java.util.function.DoubleSupplier next) {
        float[] out = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) next.getAsDouble();
        }
        return out;
    }

    /** A unit normal redrawn until it falls in {@code [-2, 2]}. */
    private static double truncated(SplittableRandom r) {
        while (true) {
            double v = r.nextGaussian();
            if (v >= -2 && v <= 2) {
                return v;
            }
        }
    }
}

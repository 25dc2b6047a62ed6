package io.axlearn.core.layers;

/**
 * 2-d convolution over {@code [N, C, H, W]}; see {@link ConvNd} for layouts and options. Parameter
 * {@code weight [outputDim, inputDim / groups, kh, kw]} (fan-in over input channels and the
 * window), {@code bias [outputDim]}.
 */
public final class Conv2d extends ConvNd {

    /** Config of {@link Conv2d}. */
    public static final class Config extends ConvNd.Config<Config, Conv2d> {
        @Override
        protected int rank() {
            return 2;
        }

        @Override
        protected Conv2d create() {
            return new Conv2d(this);
        }
    }

    /** A new config. */
    public static Config config() {
        return new Config();
    }

    private Conv2d(Config cfg) {
        super(cfg);
    }
}

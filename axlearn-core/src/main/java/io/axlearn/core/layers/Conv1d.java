package io.axlearn.core.layers;

/**
 * 1-d convolution over {@code [N, C, T]}; see {@link ConvNd} for layouts and options. {@link
 * ConvPadding.Causal} padding makes output {@code t} depend on inputs up to {@code t} only.
 */
public final class Conv1d extends ConvNd {

    /** Config of {@link Conv1d}. */
    public static final class Config extends ConvNd.Config<Config, Conv1d> {
        @Override
        protected int rank() {
            return 1;
        }

        @Override
        protected Conv1d create() {
            return new Conv1d(this);
        }
    }

    /** A new config. */
    public static Config config() {
        return new Config();
    }

    private Conv1d(Config cfg) {
        super(cfg);
    }
}

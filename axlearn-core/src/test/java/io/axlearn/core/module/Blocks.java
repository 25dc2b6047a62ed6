package io.axlearn.core.module;

import io.axlearn.core.config.Required;

/**
 * Library-style modules for the module tests: an abstract {@link Norm} whose config users extend, a
 * concrete {@link ScaleNorm}, and a {@link Block} parent with a norm slot and the dims it owns.
 */
public final class Blocks {
    private Blocks() {}

    /** Base of norms: the parent owns {@code inputDim} and writes it into the child config. */
    public abstract static class Norm extends Module {
        /**
         * Config of any norm.
         *
         * @param <S> concrete config type
         * @param <T> norm type
         */
        public abstract static class Config<S extends Config<S, T>, T extends Norm>
                extends Module.Config<S, T> {
            /** Feature dimension; set by the parent. */
            @Required Integer inputDim;

            /** Sets the feature dimension. */
            public S inputDim(int v) {
                return set(() -> inputDim = v);
            }

            /** The feature dimension. */
            public Integer inputDim() {
                return inputDim;
            }
        }

        protected Norm(Config<?, ?> cfg) {
            super(cfg);
        }

        /** A description of what this norm computes, for the tests. */
        public abstract String describe();
    }

    /** A library norm. */
    public static final class ScaleNorm extends Norm {
        /** Config of {@link ScaleNorm}. */
        public static final class Config extends Norm.Config<Config, ScaleNorm> {
            @Override
            protected ScaleNorm create() {
                return new ScaleNorm(this);
            }
        }

        private ScaleNorm(Config cfg) {
            super(cfg);
        }

        @Override
        public String describe() {
            return "scale(" + ((Config) getConfig()).inputDim() + ")";
        }
    }

    /** A parent with a swappable norm slot and two norms built from it. */
    public static final class Block extends Module {
        /** Config of {@link Block}. */
        public static final class Config extends Module.Config<Config, Block> {
            /** Model dimension, owned by the block and written into its norms. */
            @Required Integer modelDim;

            /** The norm slot: any norm config. */
            Norm.Config<?, ?> norm = new ScaleNorm.Config();

            /** Sets the model dimension. */
            public Config modelDim(int v) {
                return set(() -> modelDim = v);
            }

            /** Sets the norm (stored as a copy). */
            public Config norm(Norm.Config<?, ?> v) {
                return set(() -> norm = v.copy());
            }

            /** The norm slot. */
            public Norm.Config<?, ?> norm() {
                return norm;
            }

            @Override
            protected Block create() {
                return new Block(this);
            }
        }

        private final Norm preNorm;
        private final Norm postNorm;

        private Block(Config cfg) {
            super(cfg);
            preNorm = child("preNorm", cfg.norm, c -> c.inputDim(cfg.modelDim));
            postNorm = child("postNorm", cfg.norm, c -> c.inputDim(cfg.modelDim * 2));
        }

        /** Descriptions of the two norms. */
        public String describe() {
            return preNorm.describe() + " -> " + postNorm.describe();
        }
    }
}

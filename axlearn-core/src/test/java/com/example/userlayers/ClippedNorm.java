package com.example.userlayers;

import io.axlearn.core.module.Blocks;

/**
 * A layer written in user code, in a package of its own, by extending a library layer's config: it
 * plugs into any norm slot.
 */
public final class ClippedNorm extends Blocks.Norm {
    /** Config of {@link ClippedNorm}: the library fields plus one of its own. */
    public static final class Config extends Blocks.Norm.Config<Config, ClippedNorm> {
        /** Largest absolute output value. */
        private double clip = 1.0;

        /** Sets the clip value. */
        public Config clip(double v) {
            return set(() -> clip = v);
        }

        @Override
        protected void validate() {
            if (clip <= 0) {
                throw invalid("clip", "must be positive, got " + clip);
            }
        }

        @Override
        protected ClippedNorm create() {
            return new ClippedNorm(this);
        }
    }

    private final Config cfg;

    private ClippedNorm(Config cfg) {
        super(cfg);
        this.cfg = cfg;
    }

    @Override
    public String describe() {
        return "clipped(" + cfg.inputDim() + ", " + cfg.clip + ")";
    }
}

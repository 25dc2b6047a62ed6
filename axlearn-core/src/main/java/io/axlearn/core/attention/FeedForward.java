package io.axlearn.core.attention;

import ai.djl.ndarray.NDArray;
import io.axlearn.core.config.Required;
import io.axlearn.core.layers.Activation;
import io.axlearn.core.layers.Dropout;
import io.axlearn.core.layers.Linear;
import io.axlearn.core.module.BaseLayer;
import io.axlearn.core.module.ForwardContext;

/**
 * The position-wise feed-forward block of a Transformer: {@code linear2(dropout(act(linear1(x))))},
 * or with {@code gated} the GLU form {@code linear2(dropout(act(linear1_0(x)) * linear1_1(x)))}
 * (SwiGLU with SILU, GeGLU with GELU; <a href="https://arxiv.org/abs/2002.05202">Shazeer 2020</a>).
 * Residual connection and norm belong to {@link TransformerLayer}.
 *
 * <p>Shapes: input and output {@code [..., inputDim]}.
 */
public final class FeedForward extends BaseLayer {

    /** Config of {@link FeedForward}. */
    public static final class Config extends BaseLayer.Config<Config, FeedForward> {
        /** Input and output dimension; parent-owned. */
        @Required private Integer inputDim;

        /** Hidden dimension: fixed, or scaled from {@code inputDim} (default 4x). */
        private HiddenDim hiddenDim = new HiddenDim.Scaled(4, 1);

        /** Activation after the first projection (the gate's activation when gated). */
        private Activation activation = Activation.GELU;

        /** Whether to use the gated (GLU) form with two first projections. */
        private boolean gated = false;

        /** Template of the projections; the block writes their dims. */
        private Linear.Config linear = Linear.config();

        /** Dropout after the activation. */
        private Dropout.Config dropout = Dropout.config();

        public Config inputDim(int v) {
            return set(() -> inputDim = v);
        }

        public Config hiddenDim(HiddenDim v) {
            return set(() -> hiddenDim = v);
        }

        /** Sets a fixed hidden dimension. */
        public Config hiddenDim(int v) {
            return set(() -> hiddenDim = new HiddenDim.Fixed(v));
        }

        public Config activation(Activation v) {
            return set(() -> activation = v);
        }

        public Config gated(boolean v) {
            return set(() -> gated = v);
        }

        public Config linear(Linear.Config v) {
            return set(() -> linear = v.copy());
        }

        public Config dropout(Dropout.Config v) {
            return set(() -> dropout = v.copy());
        }

        @Override
        protected FeedForward create() {
            return new FeedForward(this);
        }
    }

    /** A new config (the parent sets {@code inputDim}). */
    public static Config config() {
        return new Config();
    }

    private final Config cfg;
    private final Linear linear1;
    private final Linear linear1Gate;
    private final Linear linear2;
    private final Dropout dropout;

    private FeedForward(Config cfg) {
        super(cfg);
        this.cfg = cfg;
        int hidden = cfg.hiddenDim.resolve(cfg.inputDim);
        if (cfg.gated) {
            linear1Gate =
                    child("linear1_0", cfg.linear, c -> c.inputDim(cfg.inputDim).outputDim(hidden));
            linear1 =
                    child("linear1_1", cfg.linear, c -> c.inputDim(cfg.inputDim).outputDim(hidden));
        } else {
            linear1Gate = null;
            linear1 = child("linear1", cfg.linear, c -> c.inputDim(cfg.inputDim).outputDim(hidden));
        }
        linear2 = child("linear2", cfg.linear, c -> c.inputDim(hidden).outputDim(cfg.inputDim));
        dropout = child("dropout", cfg.dropout);
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    /**
     * @param ctx this layer's context
     * @param x {@code [..., inputDim]}
     * @return {@code [..., inputDim]}
     */
    public NDArray forward(ForwardContext ctx, NDArray x) {
        NDArray h;
        if (cfg.gated) {
            NDArray gate = linear1Gate.forward(ctx.child(linear1Gate), x);
            h = cfg.activation.gated(gate, linear1.forward(ctx.child(linear1), x));
        } else {
            h = cfg.activation.apply(linear1.forward(ctx.child(linear1), x));
        }
        h = dropout.forward(ctx.child(dropout), h);
        return linear2.forward(ctx.child(linear2), h);
    }
}

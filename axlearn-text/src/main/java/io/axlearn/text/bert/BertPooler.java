package io.axlearn.text.bert;

import ai.djl.ndarray.NDArray;
import io.axlearn.core.config.Required;
import io.axlearn.core.layers.Activation;
import io.axlearn.core.layers.Linear;
import io.axlearn.core.module.BaseLayer;
import io.axlearn.core.module.ForwardContext;

/**
 * BERT's pooler: the hidden state of the first token ({@code [CLS]}) through a dense layer and
 * tanh, {@code pooled = tanh(h[:, 0] W + b)}: the sequence summary the classification heads read.
 *
 * <p>Shapes: hidden {@code [B, T, dim]} to {@code [B, dim]}. Parameters: {@code dense} is Hugging
 * Face's {@code bert.pooler.dense} (weight transposed).
 */
public final class BertPooler extends BaseLayer {

    /** Config of {@link BertPooler}. */
    public static final class Config extends BaseLayer.Config<Config, BertPooler> {
        /** Hidden dimension; written by the model. */
        @Required private Integer dim;

        /** The dense layer {@code dim -> dim}; the pooler writes its dims. */
        private Linear.Config dense = Linear.config();

        /** Activation after the dense layer (BERT: tanh). */
        private Activation activation = Activation.TANH;

        public Config dim(int v) {
            return set(() -> dim = v);
        }

        public Config dense(Linear.Config v) {
            return set(() -> dense = v.copy());
        }

        public Config activation(Activation v) {
            return set(() -> activation = v);
        }

        @Override
        protected BertPooler create() {
            return new BertPooler(this);
        }
    }

    /** A new config (the model sets {@code dim}). */
    public static Config config() {
        return new Config();
    }

    private final Config cfg;
    private final Linear dense;

    private BertPooler(Config cfg) {
        super(cfg);
        this.cfg = cfg;
        dense = child("dense", cfg.dense, c -> c.inputDim(cfg.dim).outputDim(cfg.dim));
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    /**
     * @param ctx this layer's context
     * @param hidden {@code [B, T, dim]}
     * @return {@code [B, dim]}
     */
    public NDArray forward(ForwardContext ctx, NDArray hidden) {
        NDArray first = hidden.get(":, 0, :");
        return cfg.activation.apply(dense.forward(ctx.child(dense), first));
    }
}

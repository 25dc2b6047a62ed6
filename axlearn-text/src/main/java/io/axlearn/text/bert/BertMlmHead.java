package io.axlearn.text.bert;

import ai.djl.ndarray.NDArray;
import io.axlearn.core.config.Required;
import io.axlearn.core.layers.Activation;
import io.axlearn.core.layers.BaseNorm;
import io.axlearn.core.layers.LayerNorm;
import io.axlearn.core.layers.Linear;
import io.axlearn.core.module.BaseLayer;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamSpec;
import java.util.Map;

/**
 * BERT's masked-LM head: a dense transform with GELU and LayerNorm, then logits from the token
 * embedding (tied, <a href="https://arxiv.org/abs/1608.05859">Press and Wolf 2017</a>) plus a
 * per-token bias: {@code logits = norm(gelu(h W + b)) E^T + output_bias}.
 *
 * <p>Shapes: hidden {@code [B, T, dim]}, token table {@code [vocabSize, dim]}, logits {@code [B, T,
 * vocabSize]}. Parameters against Hugging Face's {@code BertForMaskedLM}: {@code transform} is
 * {@code cls.predictions.transform.dense} (weight transposed), {@code transform_norm/{scale,bias}}
 * is {@code cls.predictions.transform.LayerNorm.{weight,bias}}, {@code output_bias} is {@code
 * cls.predictions.bias} ({@code cls.predictions.decoder.weight} is the tied word embedding).
 */
public final class BertMlmHead extends BaseLayer {

    /** Config of {@link BertMlmHead}. */
    public static final class Config extends BaseLayer.Config<Config, BertMlmHead> {
        /** Hidden dimension; written by the model. */
        @Required private Integer dim;

        /** Vocabulary size (the length of {@code output_bias}); written by the model. */
        @Required private Integer vocabSize;

        /** The dense transform {@code dim -> dim}; the head writes its dims. */
        private Linear.Config transform = Linear.config();

        /** Activation after the transform (BERT: exact GELU). */
        private Activation activation = Activation.GELU;

        /** Norm after the activation (BERT: LayerNorm eps 1e-12). */
        private BaseNorm.Config<?, ?> norm = LayerNorm.config().eps(1e-12);

        public Config dim(int v) {
            return set(() -> dim = v);
        }

        public Config vocabSize(int v) {
            return set(() -> vocabSize = v);
        }

        public Config transform(Linear.Config v) {
            return set(() -> transform = v.copy());
        }

        public Config activation(Activation v) {
            return set(() -> activation = v);
        }

        public Config norm(BaseNorm.Config<?, ?> v) {
            return set(() -> norm = v.copy());
        }

        @Override
        protected BertMlmHead create() {
            return new BertMlmHead(this);
        }
    }

    /** A new config (the model sets the dims). */
    public static Config config() {
        return new Config();
    }

    private final Config cfg;
    private final Linear transform;
    private final BaseNorm norm;

    private BertMlmHead(Config cfg) {
        super(cfg);
        this.cfg = cfg;
        transform = child("transform", cfg.transform, c -> c.inputDim(cfg.dim).outputDim(cfg.dim));
        norm = child("transform_norm", cfg.norm, c -> c.inputDim(cfg.dim));
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    @Override
    protected Map<String, ParamSpec> createParamSpecs() {
        return Map.of("output_bias", ParamSpec.bias(cfg.vocabSize));
    }

    /**
     * The transformed hidden states, before the output layer.
     *
     * @param ctx this layer's context
     * @param hidden {@code [..., dim]}
     * @return {@code [..., dim]}
     */
    public NDArray transform(ForwardContext ctx, NDArray hidden) {
        NDArray h = cfg.activation.apply(transform.forward(ctx.child(transform), hidden));
        return norm.forward(ctx.child(norm), h);
    }

    /**
     * Adds {@code output_bias} to the tied logits {@code transform(hidden) E^T}.
     *
     * @param ctx this layer's context
     * @param tiedLogits {@code [..., vocabSize]} the transformed states scored against the token
     *     embedding ({@link BertEncoder#attend})
     * @return {@code [..., vocabSize]}
     */
    public NDArray addOutputBias(ForwardContext ctx, NDArray tiedLogits) {
        return tiedLogits.add(ctx.param("output_bias"));
    }
}

package io.axlearn.text.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.axlearn.core.attention.HiddenDim;
import io.axlearn.core.attention.StackedTransformer;
import io.axlearn.core.attention.TransformerLayer;
import io.axlearn.core.config.Required;
import io.axlearn.core.layers.BaseNorm;
import io.axlearn.core.layers.Embedding;
import io.axlearn.core.layers.LayerNorm;
import io.axlearn.core.module.BaseModel;
import io.axlearn.core.module.ForwardContext;
import java.util.Map;

/**
 * A decoder-only causal language model: token embedding, a stack of causal Transformer layers, an
 * output norm and logits from the tied embedding (GPT-style; positions come from rotary embeddings
 * in the attention when the decoder enables them).
 *
 * <p>Batch features: {@code inputs [B, T]} and {@code targets [B, T]} integer ids, {@code weight
 * [B]} (0 for padding examples). Loss: mean cross-entropy in nats per target token over the
 * weighted tokens; metric {@code accuracy}: the fraction of targets predicted by the arg-max.
 */
public final class CausalLm extends BaseModel {
    /** Batch feature of input ids. */
    public static final String INPUTS = "inputs";

    /** Batch feature of target ids. */
    public static final String TARGETS = "targets";

    /** Config of {@link CausalLm}. */
    public static final class Config extends BaseModel.Config<Config, CausalLm> {
        /** Vocabulary size (256 for bytes). */
        @Required private Integer vocabSize;

        /** Model dimension; the model writes it into every child. */
        @Required private Integer dim;

        /** Token embedding (also the output layer). */
        private Embedding.Config embedding = Embedding.config();

        /** The decoder stack; set {@code numLayers} and the layer's heads (see {@link #gpt}). */
        private StackedTransformer.Config decoder = StackedTransformer.config();

        /** Norm after the last layer. */
        private BaseNorm.Config<?, ?> outputNorm = LayerNorm.config();

        public Config vocabSize(int v) {
            return set(() -> vocabSize = v);
        }

        public Config dim(int v) {
            return set(() -> dim = v);
        }

        public Config decoder(StackedTransformer.Config v) {
            return set(() -> decoder = v.copy());
        }

        public Config outputNorm(BaseNorm.Config<?, ?> v) {
            return set(() -> outputNorm = v.copy());
        }

        @Override
        protected CausalLm create() {
            return new CausalLm(this);
        }
    }

    /**
     * A GPT-style config: pre-norm causal layers with rotary embeddings and a GELU feed-forward of
     * {@code ffnFactor * dim}.
     */
    public static Config gpt(
            int vocabSize, int dim, int numLayers, int numHeads, double ffnFactor, double dropout) {
        TransformerLayer.Config layer =
                TransformerLayer.config().structure(TransformerLayer.Structure.PRE_NORM);
        layer.set("selfAttention.numHeads", numHeads)
                .set("selfAttention.causal", true)
                .set("selfAttention.rotary", true)
                .set("feedForward.hiddenDim", new HiddenDim.Scaled(ffnFactor, 1))
                .set("dropout.rate", dropout);
        return new Config()
                .vocabSize(vocabSize)
                .dim(dim)
                .decoder(StackedTransformer.config().numLayers(numLayers).layer(layer));
    }

    private final Config cfg;
    private final Embedding embedding;
    private final StackedTransformer decoder;
    private final BaseNorm outputNorm;

    private CausalLm(Config cfg) {
        super(cfg);
        this.cfg = cfg;
        embedding =
                child("embedding", cfg.embedding, c -> c.numEmbeddings(cfg.vocabSize).dim(cfg.dim));
        decoder = child("decoder", cfg.decoder, c -> c.inputDim(cfg.dim));
        outputNorm = child("output_norm", cfg.outputNorm, c -> c.inputDim(cfg.dim));
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    /**
     * Logits for every position.
     *
     * @param ctx the model's context
     * @param inputs {@code [B, T]} ids
     * @return {@code [B, T, vocabSize]}
     */
    public NDArray logits(ForwardContext ctx, NDArray inputs) {
        NDArray h = embedding.forward(ctx.child("embedding"), inputs);
        h = decoder.forward(ctx.child("decoder"), h, null);
        h = outputNorm.forward(ctx.child("output_norm"), h);
        return embedding.attend(ctx.child("embedding"), h);
    }

    @Override
    public Output forward(ForwardContext ctx, Map<String, NDArray> batch) {
        NDArray targets = ids(batch, TARGETS, cfg.vocabSize, "vocabSize");
        NDArray logits = logits(ctx, ids(batch, INPUTS, cfg.vocabSize, "vocabSize"));
        NDArray logProbs = logits.logSoftmax(-1);
        NDArray oneHot =
                targets.toType(DataType.INT64, false)
                        .oneHot(cfg.vocabSize)
                        .toType(DataType.FLOAT32, false);
        NDArray nll = logProbs.mul(oneHot).sum(new int[] {-1}).neg();
        long length = targets.getShape().get(1);
        NDArray tokenWeight = batch.get("weight").expandDims(1).repeat(1, length);
        NDArray lossWeight = tokenWeight.sum();
        NDArray denominator = lossWeight.maximum(1f);
        NDArray loss = nll.mul(tokenWeight).sum().div(denominator);
        NDArray correct =
                logits.argMax(-1)
                        .eq(targets.toType(DataType.INT64, false))
                        .toType(DataType.FLOAT32, false);
        NDArray accuracy = correct.mul(tokenWeight).sum().div(denominator);
        return new Output(loss, lossWeight, Map.of("accuracy", accuracy));
    }
}

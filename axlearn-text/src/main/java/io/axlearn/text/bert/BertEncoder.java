package io.axlearn.text.bert;

import ai.djl.ndarray.NDArray;
import io.axlearn.core.attention.AttentionBias;
import io.axlearn.core.attention.FeedForward;
import io.axlearn.core.attention.HiddenDim;
import io.axlearn.core.attention.MultiheadAttention;
import io.axlearn.core.attention.StackedTransformer;
import io.axlearn.core.attention.TransformerLayer;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.config.Required;
import io.axlearn.core.init.Initializer;
import io.axlearn.core.init.ParamInit;
import io.axlearn.core.layers.Activation;
import io.axlearn.core.layers.BaseNorm;
import io.axlearn.core.layers.Dropout;
import io.axlearn.core.layers.Embedding;
import io.axlearn.core.layers.LayerNorm;
import io.axlearn.core.layers.LearnedPositionEmbedding;
import io.axlearn.core.module.BaseLayer;
import io.axlearn.core.module.ForwardContext;

/**
 * The BERT encoder (<a href="https://arxiv.org/abs/1810.04805">Devlin et al. 2019</a>): token,
 * learned position and token-type embeddings summed, then LayerNorm and dropout, then a stack of
 * post-norm bidirectional Transformer layers with a GELU feed-forward.
 *
 * <pre>{@code
 * h0 = dropout(norm(E_tok[ids] + E_pos[0..T-1] + E_type[typeIds]))
 * a  = norm(h + dropout(attention(h, padding mask)))      // every layer, post-norm
 * h' = norm(a + dropout(W2 gelu(W1 a)))
 * }</pre>
 *
 * <p>Shapes: {@code ids}, {@code typeIds}, {@code mask} {@code [B, T]}; output {@code [B, T, dim]}.
 * Padded keys (mask 0) are blocked for every query with an additive bias ({@link
 * AttentionBias#padding}); padded queries still get an output, which heads and losses ignore.
 *
 * <p>Parameter names against Hugging Face's {@code BertModel} ({@code bert.} prefix dropped; linear
 * weights are stored {@code [in, out]}, the transpose of torch's):
 *
 * <pre>
 * token_embedding/weight                   embeddings.word_embeddings.weight
 * position_embedding/weight                embeddings.position_embeddings.weight
 * type_embedding/weight                    embeddings.token_type_embeddings.weight
 * embedding_norm/{scale,bias}              embeddings.LayerNorm.{weight,bias}
 * encoder/layer{i}/self_attention/q_proj   encoder.layer.{i}.attention.self.query   (weight^T, bias)
 * encoder/layer{i}/self_attention/k_proj   encoder.layer.{i}.attention.self.key
 * encoder/layer{i}/self_attention/v_proj   encoder.layer.{i}.attention.self.value
 * encoder/layer{i}/self_attention/o_proj   encoder.layer.{i}.attention.output.dense
 * encoder/layer{i}/attention_norm          encoder.layer.{i}.attention.output.LayerNorm
 * encoder/layer{i}/feed_forward/linear1    encoder.layer.{i}.intermediate.dense
 * encoder/layer{i}/feed_forward/linear2    encoder.layer.{i}.output.dense
 * encoder/layer{i}/feed_forward_norm       encoder.layer.{i}.output.LayerNorm
 * </pre>
 *
 * (norms: {@code scale} is torch's {@code weight}). Hugging Face's {@code hidden_dropout_prob} is
 * the layers' {@code dropout} and {@code embeddingDropout}, {@code attention_probs_dropout_prob}
 * the attention's {@code dropout}; the feed-forward has no inner dropout.
 */
public final class BertEncoder extends BaseLayer {

    /** Config of {@link BertEncoder}. */
    public static final class Config extends BaseLayer.Config<Config, BertEncoder> {
        /** Vocabulary size (30522 for BERT's uncased WordPiece vocabulary). */
        @Required private Integer vocabSize;

        /** Model (hidden) dimension; the encoder writes it into every child. */
        @Required private Integer dim;

        /** Number of token types (segments A/B): 2 in BERT; 0 for no type embedding. */
        private int typeVocabSize = 2;

        /** Token embedding, {@code [vocabSize, dim]}; the masked-LM head's output is tied to it. */
        private Embedding.Config tokenEmbedding = Embedding.config();

        /** Learned position embedding; set {@code maxPositions} (BERT: 512). */
        private LearnedPositionEmbedding.Config positionEmbedding =
                LearnedPositionEmbedding.config().maxPositions(512);

        /** Token-type embedding, {@code [typeVocabSize, dim]}. */
        private Embedding.Config typeEmbedding = Embedding.config();

        /** Norm of the summed embeddings (BERT: LayerNorm with eps 1e-12). */
        private BaseNorm.Config<?, ?> embeddingNorm = LayerNorm.config().eps(1e-12);

        /** Dropout after the embedding norm (Hugging Face's {@code hidden_dropout_prob}). */
        private Dropout.Config embeddingDropout = Dropout.config();

        /**
         * The layer stack; its layers must be bidirectional ({@code selfAttention.causal} false).
         * See {@link #bert} for BERT's post-norm GELU layers.
         */
        private StackedTransformer.Config encoder = StackedTransformer.config();

        public Config vocabSize(int v) {
            return set(() -> vocabSize = v);
        }

        public Config dim(int v) {
            return set(() -> dim = v);
        }

        public Config typeVocabSize(int v) {
            return set(() -> typeVocabSize = v);
        }

        public Config tokenEmbedding(Embedding.Config v) {
            return set(() -> tokenEmbedding = v.copy());
        }

        public Config positionEmbedding(LearnedPositionEmbedding.Config v) {
            return set(() -> positionEmbedding = v.copy());
        }

        public Config typeEmbedding(Embedding.Config v) {
            return set(() -> typeEmbedding = v.copy());
        }

        public Config embeddingNorm(BaseNorm.Config<?, ?> v) {
            return set(() -> embeddingNorm = v.copy());
        }

        public Config embeddingDropout(Dropout.Config v) {
            return set(() -> embeddingDropout = v.copy());
        }

        public Config encoder(StackedTransformer.Config v) {
            return set(() -> encoder = v.copy());
        }

        /** The vocabulary size. */
        public Integer vocabSize() {
            return vocabSize;
        }

        /** The model dimension. */
        public Integer dim() {
            return dim;
        }

        /** The layer stack's config. */
        public StackedTransformer.Config encoder() {
            return encoder;
        }

        @Override
        protected void validate() {
            if (typeVocabSize < 0) {
                throw invalid("typeVocabSize", "must be >= 0, got " + typeVocabSize);
            }
            for (TransformerLayer.Config layer : encoder.layerConfigs()) {
                if (layer.selfAttention().causal()) {
                    throw new ConfigException(
                            layer.selfAttention().path()
                                    + ".causal is true, but a BERT encoder attends in both"
                                    + " directions (BertEncoder.Config)");
                }
            }
        }

        @Override
        protected BertEncoder create() {
            return new BertEncoder(this);
        }
    }

    /** A new config; set {@code vocabSize}, {@code dim} and the encoder (or use {@link #bert}). */
    public static Config config() {
        return new Config();
    }

    /**
     * A BERT encoder with Hugging Face's {@code BertConfig} defaults for everything not given: 512
     * positions, 2 token types, LayerNorm eps 1e-12, exact (erf) GELU, post-norm layers.
     *
     * @param vocabSize {@code vocab_size}
     * @param dim {@code hidden_size}
     * @param numLayers {@code num_hidden_layers}
     * @param numHeads {@code num_attention_heads}
     * @param hiddenDim {@code intermediate_size}, the feed-forward width
     * @param dropout {@code hidden_dropout_prob} and {@code attention_probs_dropout_prob}
     */
    public static Config bert(
            int vocabSize, int dim, int numLayers, int numHeads, int hiddenDim, double dropout) {
        TransformerLayer.Config layer =
                TransformerLayer.config()
                        .structure(TransformerLayer.Structure.POST_NORM)
                        .norm(LayerNorm.config().eps(1e-12))
                        .selfAttention(
                                MultiheadAttention.config()
                                        .numHeads(numHeads)
                                        .dropout(Dropout.config().rate(dropout)))
                        .feedForward(
                                FeedForward.config()
                                        .hiddenDim(new HiddenDim.Fixed(hiddenDim))
                                        .activation(Activation.GELU))
                        .dropout(Dropout.config().rate(dropout));
        return config().paramInit(bertInit())
                .vocabSize(vocabSize)
                .dim(dim)
                .embeddingDropout(Dropout.config().rate(dropout))
                .encoder(StackedTransformer.config().numLayers(numLayers).layer(layer));
    }

    /**
     * BERT's initialisation: weights truncated normal with standard deviation 0.02 (axlearn's
     * {@code bert.py}, Google's release), biases 0, norm scales 1. Embedding tables keep their own
     * initialisers ({@link Embedding}: normal {@code 1/sqrt(dim)}, {@link
     * LearnedPositionEmbedding}: normal 0.02).
     */
    public static ParamInit bertInit() {
        return new ParamInit().rule("(.*_)?weight", Initializer.truncatedNormal(0.02));
    }

    /** BERT's uncased WordPiece vocabulary size ({@code bert-base-uncased}). */
    public static final int BERT_UNCASED_VOCAB = 30522;

    /**
     * BERT-Tiny ({@code google/bert_uncased_L-2_H-128_A-2}, <a
     * href="https://arxiv.org/abs/1908.08962">Turc et al. 2019</a>): 2 layers, 128 wide, 2 heads,
     * feed-forward 512, dropout 0.1, uncased vocabulary.
     */
    public static Config tiny() {
        return bert(BERT_UNCASED_VOCAB, 128, 2, 2, 512, 0.1);
    }

    /**
     * BERT-Small ({@code google/bert_uncased_L-4_H-512_A-8}): 4 layers, 512 wide, 8 heads,
     * feed-forward 2048, dropout 0.1.
     */
    public static Config small() {
        return bert(BERT_UNCASED_VOCAB, 512, 4, 8, 2048, 0.1);
    }

    /**
     * BERT-Base ({@code bert-base-uncased}): 12 layers, 768 wide, 12 heads, feed-forward 3072,
     * dropout 0.1, 512 positions, 2 token types, LayerNorm eps 1e-12.
     */
    public static Config base() {
        return bert(BERT_UNCASED_VOCAB, 768, 12, 12, 3072, 0.1);
    }

    private final Config cfg;
    private final Embedding tokenEmbedding;
    private final LearnedPositionEmbedding positionEmbedding;
    private final Embedding typeEmbedding;
    private final BaseNorm embeddingNorm;
    private final Dropout embeddingDropout;
    private final StackedTransformer encoder;

    private BertEncoder(Config cfg) {
        super(cfg);
        this.cfg = cfg;
        tokenEmbedding =
                child(
                        "token_embedding",
                        cfg.tokenEmbedding,
                        c -> c.numEmbeddings(cfg.vocabSize).dim(cfg.dim));
        positionEmbedding = child("position_embedding", cfg.positionEmbedding, c -> c.dim(cfg.dim));
        typeEmbedding =
                cfg.typeVocabSize == 0
                        ? null
                        : child(
                                "type_embedding",
                                cfg.typeEmbedding,
                                c -> c.numEmbeddings(cfg.typeVocabSize).dim(cfg.dim));
        embeddingNorm = child("embedding_norm", cfg.embeddingNorm, c -> c.inputDim(cfg.dim));
        embeddingDropout = child("embedding_dropout", cfg.embeddingDropout);
        encoder = child("encoder", cfg.encoder, c -> c.inputDim(cfg.dim));
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    /**
     * The final hidden states.
     *
     * @param ctx this layer's context
     * @param ids {@code [B, T]} token ids
     * @param typeIds {@code [B, T]} token-type ids, or {@code null} for all type 0
     * @param mask {@code [B, T]} non-zero for real tokens, or {@code null} for no padding
     * @return {@code [B, T, dim]}
     */
    public NDArray forward(ForwardContext ctx, NDArray ids, NDArray typeIds, NDArray mask) {
        NDArray h = embed(ctx, ids, typeIds);
        return mask == null
                ? encoder.forward(ctx.child(encoder), h)
                : encoder.forward(ctx.child(encoder), h, AttentionBias.padding(mask));
    }

    /**
     * The embedding output: {@code dropout(norm(token + position + type))}.
     *
     * @param ctx this layer's context
     * @param ids {@code [B, T]} token ids
     * @param typeIds {@code [B, T]} or {@code null} (type 0)
     * @return {@code [B, T, dim]}
     */
    public NDArray embed(ForwardContext ctx, NDArray ids, NDArray typeIds) {
        NDArray h = tokenEmbedding.forward(ctx.child(tokenEmbedding), ids);
        h = positionEmbedding.addTo(ctx.child(positionEmbedding), h, 0);
        if (typeEmbedding != null) {
            NDArray types = typeIds == null ? ids.zerosLike() : typeIds;
            h = h.add(typeEmbedding.forward(ctx.child(typeEmbedding), types));
        }
        h = embeddingNorm.forward(ctx.child(embeddingNorm), h);
        return embeddingDropout.forward(ctx.child(embeddingDropout), h);
    }

    /**
     * Scores hidden vectors against the token embedding (the tied output layer): {@code x E^T}.
     *
     * @param ctx this layer's context
     * @param x {@code [..., dim]}
     * @return {@code [..., vocabSize]}
     */
    public NDArray attend(ForwardContext ctx, NDArray x) {
        return tokenEmbedding.attend(ctx.child(tokenEmbedding), x);
    }
}

package io.axlearn.text.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.axlearn.core.attention.AttentionBias;
import io.axlearn.core.attention.FeedForward;
import io.axlearn.core.attention.HiddenDim;
import io.axlearn.core.attention.KvCache;
import io.axlearn.core.attention.MultiheadAttention;
import io.axlearn.core.attention.RotaryEmbedding;
import io.axlearn.core.attention.StackedTransformer;
import io.axlearn.core.attention.TransformerLayer;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.config.ConfigPath;
import io.axlearn.core.config.Required;
import io.axlearn.core.layers.AbsolutePositionEmbedding;
import io.axlearn.core.layers.BaseNorm;
import io.axlearn.core.layers.Dropout;
import io.axlearn.core.layers.Embedding;
import io.axlearn.core.layers.LayerNorm;
import io.axlearn.core.layers.LearnedPositionEmbedding;
import io.axlearn.core.layers.Linear;
import io.axlearn.core.layers.PositionEncoding;
import io.axlearn.core.layers.SinusoidalPositionEmbedding;
import io.axlearn.core.losses.CrossEntropy;
import io.axlearn.core.module.BaseModel;
import io.axlearn.core.module.FlopEstimate;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.module.TextGenerator;
import io.axlearn.text.tokenizers.ByteTokenizer;
import io.axlearn.text.tokenizers.Tokenizer;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A decoder-only causal language model: token embedding plus the position encoding of the {@code
 * positionEncoding} slot, a stack of causal Transformer layers, an output norm and logits from the
 * tied embedding or an untied head (GPT-style).
 *
 * <p>Position encodings: {@link RotaryEmbedding} is written into every layer's self-attention;
 * absolute embeddings ({@link LearnedPositionEmbedding}, {@link SinusoidalPositionEmbedding}) are
 * added to the token embeddings; {@code null} gives the model no position information. Children:
 * {@code embedding}, {@code position_embedding} (absolute encodings), {@code decoder}, {@code
 * output_norm}, {@code lm_head} (untied head).
 *
 * <p>Batch features: {@code inputs [B, T]} and {@code targets [B, T]} integer ids, {@code weight
 * [B]} (0 for padding examples); for packed documents optionally {@link #SEGMENT_IDS} {@code [B,
 * T]} (a token attends only to earlier tokens of its own segment) and {@link #POSITIONS} {@code [B,
 * T]} (each token's position in its document, for absolute position embeddings; rotary embeddings
 * depend only on the distance between two tokens of a segment, which the window's positions already
 * give). Loss: mean cross-entropy in nats per target token over the weighted tokens; metric {@code
 * accuracy}: the fraction of targets predicted by the arg-max.
 *
 * <p>Generation ({@link #generate}, {@code axlearn generate}) reads and writes text with the
 * model's {@code tokenizer} and decodes through the KV cache ({@link Generation}).
 */
public final class CausalLm extends BaseModel implements TextGenerator, FlopEstimate {
    /** Batch feature of input ids. */
    public static final String INPUTS = "inputs";

    /** Batch feature of target ids. */
    public static final String TARGETS = "targets";

    /** Optional batch feature: the segment (packed document) of each input, {@code [B, T]}. */
    public static final String SEGMENT_IDS = "input_segment_ids";

    /** Optional batch feature: each input's position in its segment, {@code [B, T]}. */
    public static final String POSITIONS = "input_positions";

    /** Config of {@link CausalLm}. */
    public static final class Config extends BaseModel.Config<Config, CausalLm> {
        /** Vocabulary size (256 for bytes). */
        @Required private Integer vocabSize;

        /** Model dimension; the model writes it into every child. */
        @Required private Integer dim;

        /** Token embedding (also the output layer when {@code lmHead} is null). */
        private Embedding.Config embedding = Embedding.config();

        /**
         * How tokens learn their positions: {@link RotaryEmbedding} (written into every
         * self-attention layer; leave the layers' {@code selfAttention.rotary} unset), {@link
         * LearnedPositionEmbedding} or {@link SinusoidalPositionEmbedding} (added to the token
         * embeddings), or {@code null} for none. The model writes its {@code dim}.
         */
        private PositionEncoding.Config<?, ?> positionEncoding;

        /** The decoder stack; set its layers and their heads (see {@link #gpt}). */
        private StackedTransformer.Config decoder = StackedTransformer.config();

        /** Norm after the last layer. */
        private BaseNorm.Config<?, ?> outputNorm = LayerNorm.config();

        /**
         * The output head {@code dim -> vocabSize} (GPT-2 ties it; many models do not), its {@code
         * bias} saying whether it has one; {@code null} ties the output to the token embedding:
         * {@code logits = h E^T} (<a href="https://arxiv.org/abs/1608.05859">Press and Wolf
         * 2017</a>). The model writes its dims.
         */
        private Linear.Config lmHead;

        /**
         * The loss over the vocabulary: cross-entropy in nats per target token, by default plain;
         * set {@code labelSmoothing} or {@code zLossScale} here ({@code --set
         * model.loss.zLossScale=1e-4}).
         */
        private CrossEntropy.Config loss = CrossEntropy.config();

        /**
         * The tokenizer of the model's ids, used to generate text; its {@code vocabSize} must not
         * exceed the model's. Raw bytes by default.
         */
        private Tokenizer.Config<?> tokenizer = ByteTokenizer.config();

        /**
         * Whether generation feeds the tokenizer's end-of-sequence id before the prompt, as {@link
         * io.axlearn.text.input.PackedLmSource} puts it before every document; then the prompt
         * reads as the start of a document, and an empty prompt starts a new one.
         */
        private boolean eosBeforePrompt;

        public Config vocabSize(int v) {
            return set(() -> vocabSize = v);
        }

        public Config dim(int v) {
            return set(() -> dim = v);
        }

        public Config embedding(Embedding.Config v) {
            return set(() -> embedding = v.copy());
        }

        /** Sets the position encoding ({@code null}: none); stored as a copy. */
        public Config positionEncoding(PositionEncoding.Config<?, ?> v) {
            return set(() -> positionEncoding = v == null ? null : v.copy());
        }

        public Config decoder(StackedTransformer.Config v) {
            return set(() -> decoder = v.copy());
        }

        /** Sets an untied output head, or {@code null} to tie it to the embedding. */
        public Config lmHead(Linear.Config v) {
            return set(() -> lmHead = v == null ? null : v.copy());
        }

        public Config outputNorm(BaseNorm.Config<?, ?> v) {
            return set(() -> outputNorm = v.copy());
        }

        /** Sets the loss (copied). */
        public Config loss(CrossEntropy.Config v) {
            return set(() -> loss = v.copy());
        }

        public Config tokenizer(Tokenizer.Config<?> v) {
            return set(() -> tokenizer = v.copy());
        }

        /** Sets whether generation feeds the end-of-sequence id before the prompt. */
        public Config eosBeforePrompt(boolean v) {
            return set(() -> eosBeforePrompt = v);
        }

        @Override
        protected void validate() {
            if (positionEncoding != null
                    && !(positionEncoding instanceof RotaryEmbedding.Config)
                    && !(positionEncoding instanceof AbsolutePositionEmbedding.Config<?, ?>)) {
                throw invalid(
                        "positionEncoding",
                        "is a "
                                + positionEncoding.typeName()
                                + "; CausalLm applies core/RotaryEmbedding and absolute position"
                                + " embeddings");
            }
            for (TransformerLayer.Config layer : decoder.layerConfigs()) {
                RotaryEmbedding.Config own = layer.selfAttention().rotary();
                if (own != null) {
                    throw new ConfigException(
                            own.path()
                                    + " is set, but the model's positionEncoding decides rotary"
                                    + " embeddings: set "
                                    + ConfigPath.child(path(), "positionEncoding")
                                    + " to core/RotaryEmbedding instead (CausalLm.Config)");
                }
            }
        }

        @Override
        protected CausalLm create() {
            return new CausalLm(this);
        }
    }

    /**
     * A GPT-style config: pre-norm causal layers with rotary embeddings, a GELU feed-forward of
     * {@code ffnFactor * dim} and the output tied to the embedding.
     */
    public static Config gpt(
            int vocabSize, int dim, int numLayers, int numHeads, double ffnFactor, double dropout) {
        MultiheadAttention.Config attention =
                MultiheadAttention.config().numHeads(numHeads).causal(true);
        TransformerLayer.Config layer =
                TransformerLayer.config()
                        .structure(TransformerLayer.Structure.PRE_NORM)
                        .selfAttention(attention)
                        .feedForward(
                                FeedForward.config().hiddenDim(new HiddenDim.Scaled(ffnFactor, 1)))
                        .dropout(Dropout.config().rate(dropout));
        return new Config()
                .vocabSize(vocabSize)
                .dim(dim)
                .positionEncoding(RotaryEmbedding.config())
                .decoder(StackedTransformer.config().numLayers(numLayers).layer(layer));
    }

    private final Config cfg;
    private final Embedding embedding;
    private final AbsolutePositionEmbedding positionEmbedding;
    private final StackedTransformer decoder;
    private final BaseNorm outputNorm;
    private final Linear lmHead;
    private final CrossEntropy loss;
    private Tokenizer tokenizer;

    private CausalLm(Config cfg) {
        super(cfg);
        this.cfg = cfg;
        embedding =
                child("embedding", cfg.embedding, c -> c.numEmbeddings(cfg.vocabSize).dim(cfg.dim));
        positionEmbedding =
                cfg.positionEncoding instanceof AbsolutePositionEmbedding.Config<?, ?> absolute
                        ? child("position_embedding", absolute, c -> c.dim(cfg.dim))
                        : null;
        RotaryEmbedding.Config rotary =
                cfg.positionEncoding instanceof RotaryEmbedding.Config r ? r : null;
        decoder =
                child(
                        "decoder",
                        cfg.decoder,
                        c -> c.inputDim(cfg.dim).editLayers(l -> l.selfAttention().rotary(rotary)));
        outputNorm = child("output_norm", cfg.outputNorm, c -> c.inputDim(cfg.dim));
        lmHead =
                cfg.lmHead == null
                        ? null
                        : child(
                                "lm_head",
                                cfg.lmHead,
                                c -> c.inputDim(cfg.dim).outputDim(cfg.vocabSize));
        loss = cfg.loss.instantiateAt(ConfigPath.child(cfg.path(), "loss"));
    }

    /**
     * The tokenizer of the model's ids ({@code tokenizer} in the config), built on first use:
     * training never reads it, so a model trained on ids alone needs no tokenizer files.
     *
     * @throws ConfigException if the tokenizer has more ids than the model, or if {@code
     *     eosBeforePrompt} is set and it has no end-of-sequence id
     */
    public synchronized Tokenizer tokenizer() {
        if (tokenizer != null) {
            return tokenizer;
        }
        String tokenizerPath = ConfigPath.child(cfg.path(), "tokenizer");
        Tokenizer built = cfg.tokenizer.instantiateAt(tokenizerPath);
        if (built.vocabSize() > cfg.vocabSize) {
            throw new ConfigException(
                    tokenizerPath
                            + " has "
                            + built.vocabSize()
                            + " ids, more than the model's vocabSize "
                            + cfg.vocabSize);
        }
        if (cfg.eosBeforePrompt && built.eosId().isEmpty()) {
            throw new ConfigException(
                    ConfigPath.child(cfg.path(), "eosBeforePrompt")
                            + " is set, but "
                            + tokenizerPath
                            + " has no end-of-sequence id");
        }
        tokenizer = built;
        return built;
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
        return logits(ctx, inputs, null, null);
    }

    /**
     * Logits for every position of packed documents: a token attends only to earlier tokens of its
     * own segment and, with an absolute position encoding, gets the vector of its own position.
     * Each document's logits equal those of the document fed alone.
     *
     * @param ctx the model's context
     * @param inputs {@code [B, T]} ids
     * @param segments {@code [B, T]} segment ids, or {@code null}: one segment
     * @param positions {@code [B, T]} positions in {@code [0, T)}, or {@code null}: {@code 0..T-1}
     * @return {@code [B, T, vocabSize]}
     */
    public NDArray logits(ForwardContext ctx, NDArray inputs, NDArray segments, NDArray positions) {
        NDArray h = embedding.forward(ctx.child(embedding), inputs);
        if (positionEmbedding != null) {
            h =
                    positions == null
                            ? positionEmbedding.addTo(ctx.child(positionEmbedding), h, 0)
                            : positionEmbedding.addAt(
                                    ctx.child(positionEmbedding), h, checked(positions, h));
        }
        h =
                segments == null
                        ? decoder.forward(ctx.child(decoder), h)
                        : decoder.forward(
                                ctx.child(decoder), h, AttentionBias.segments(segments, segments));
        return head(ctx, h);
    }

    /** Empty decoding caches, one per decoder layer, for {@link #extendStep}. */
    public List<KvCache> emptyCaches() {
        return decoder.emptyCaches();
    }

    /**
     * One decoding step: the logits of the token after {@code tokens}, which sit at position {@code
     * caches[0].length()}. Decoding a sequence one token at a time gives the logits of {@link
     * #logits} (for every position encoding).
     *
     * @param ctx the model's context (evaluation)
     * @param caches the caches of the earlier steps ({@link #emptyCaches()} at the start)
     * @param tokens {@code [B, 1]} ids
     * @return logits {@code [B, 1, vocabSize]} and the caches one position longer
     */
    public Step extendStep(ForwardContext ctx, List<KvCache> caches, NDArray tokens) {
        long position = caches.isEmpty() ? 0 : caches.get(0).length();
        StackedTransformer.Step s =
                decoder.extendStep(ctx.child(decoder), caches, embed(ctx, tokens, position));
        return new Step(head(ctx, s.data()), s.caches());
    }

    /**
     * Output of a decoding step.
     *
     * @param logits {@code [B, 1, vocabSize]}
     * @param caches the per-layer caches including this step
     */
    public record Step(NDArray logits, List<KvCache> caches) {}

    /** Token embeddings plus absolute positions from {@code offset}: {@code [B, T, dim]}. */
    private NDArray embed(ForwardContext ctx, NDArray ids, long offset) {
        NDArray h = embedding.forward(ctx.child(embedding), ids);
        return positionEmbedding == null
                ? h
                : positionEmbedding.addTo(ctx.child(positionEmbedding), h, offset);
    }

    /** Output norm and logits, tied or from the head: {@code [B, T, vocabSize]}. */
    private NDArray head(ForwardContext ctx, NDArray h) {
        NDArray normed = outputNorm.forward(ctx.child(outputNorm), h);
        return lmHead == null
                ? embedding.attend(ctx.child(embedding), normed)
                : lmHead.forward(ctx.child(lmHead), normed);
    }

    @Override
    public String generate(
            ParamTree params,
            NDManager manager,
            String prompt,
            Sampling sampling,
            Consumer<String> onText) {
        Tokenizer tokenizer = tokenizer();
        StreamingDecoder stream = new StreamingDecoder(tokenizer, onText);
        try (NDManager scope = manager.newSubManager()) {
            Generation.generate(
                    this,
                    params,
                    scope,
                    promptIds(prompt),
                    sampling,
                    tokenizer.eosId(),
                    stream::accept);
        }
        return stream.finish();
    }

    /**
     * The ids generation starts from: the prompt's, after the end-of-sequence id if {@code
     * eosBeforePrompt}.
     */
    public int[] promptIds(String prompt) {
        int[] ids = tokenizer().encode(prompt);
        if (!cfg.eosBeforePrompt) {
            return ids;
        }
        int[] out = new int[ids.length + 1];
        out[0] = tokenizer().eosId().getAsInt();
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }

    @Override
    public int countTokens(String text) {
        return cfg.tokenizer
                .instantiateAt(ConfigPath.child(cfg.path(), "tokenizer"))
                .encode(text)
                .length;
    }

    @Override
    public Output forward(ForwardContext ctx, Map<String, NDArray> batch) {
        NDArray targets = ids(batch, TARGETS, cfg.vocabSize, "vocabSize");
        NDArray logits =
                logits(
                        ctx,
                        ids(batch, INPUTS, cfg.vocabSize, "vocabSize"),
                        batch.get(SEGMENT_IDS),
                        batch.get(POSITIONS));
        NDArray tokenWeight = batch.get("weight").expandDims(1).broadcast(targets.getShape());
        CrossEntropy.Output out = loss.forward(logits, targets, tokenWeight);
        return new Output(out.loss(), out.totalWeight(), out.metrics(cfg.loss.zLossScale() > 0));
    }

    /** Positions, checked to lie inside the window of {@code h [B, T, D]}. */
    private static NDArray checked(NDArray positions, NDArray h) {
        long length = h.getShape().get(1);
        long min = positions.min().toType(DataType.INT64, false).getLong();
        long max = positions.max().toType(DataType.INT64, false).getLong();
        if (min < 0 || max >= length) {
            throw new IllegalArgumentException(
                    "feature "
                            + POSITIONS
                            + " of the batch holds position "
                            + (min < 0 ? min : max)
                            + "; positions must be in [0, "
                            + length
                            + "), the window's length");
        }
        return positions;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Per token: 2 operations per weight of every matrix of the decoder and of the output logits
     * ({@code dim x vocabSize}, tied or not), plus attention's scores and weighted sum, {@code 4 T
     * dim} per layer over the window of {@code T} (the causal half included, as the engine computes
     * it); times 3 for the backward pass.
     */
    @Override
    public double trainingFlops(Map<String, ai.djl.ndarray.types.Shape> batchShapes) {
        ai.djl.ndarray.types.Shape inputs = batchShapes.get(INPUTS);
        long tokens = inputs.size();
        long window = inputs.get(inputs.dimension() - 1);
        double matrixWeights = (double) cfg.dim * cfg.vocabSize;
        for (Map.Entry<String, io.axlearn.core.module.ParamSpec> p : paramSpecs().entrySet()) {
            if (p.getKey().startsWith("decoder/") && p.getValue().shape().dimension() == 2) {
                matrixWeights += p.getValue().shape().size();
            }
        }
        double attention = 4.0 * window * cfg.dim * decoder.getConfig().layerConfigs().size();
        return 3 * tokens * (2 * matrixWeights + attention);
    }
}

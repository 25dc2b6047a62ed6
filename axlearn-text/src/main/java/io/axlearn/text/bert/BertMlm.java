package io.axlearn.text.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.axlearn.core.config.ConfigPath;
import io.axlearn.core.losses.CrossEntropy;
import io.axlearn.core.module.BaseModel;
import io.axlearn.core.module.ForwardContext;
import java.util.Map;

/**
 * BERT masked-language-model pre-training (<a href="https://arxiv.org/abs/1810.04805">Devlin et al.
 * 2019</a>, without next-sentence prediction, as RoBERTa): the encoder reads a sequence in which
 * some tokens were replaced ({@code [MASK]}, random or kept; see {@code text.input.MlmInput}) and
 * the head predicts the original tokens at those positions.
 *
 * <p>Children: {@code bert} ({@link BertEncoder}) and {@code mlm_head} ({@link BertMlmHead}, output
 * tied to {@code bert/token_embedding}). Against Hugging Face's {@code BertForMaskedLM}: {@code
 * bert/...} is {@code bert....} (see {@link BertEncoder}), {@code mlm_head/...} is {@code
 * cls.predictions....} (see {@link BertMlmHead}).
 *
 * <p>Batch features: {@link #INPUTS} {@code [B, T]} (the corrupted ids), {@link #TARGETS} {@code
 * [B, T]} (the original ids), {@link #TARGET_WEIGHTS} {@code [B, T]} (1 where a token was selected
 * for prediction, else 0), optional {@link #INPUT_MASK} {@code [B, T]} (1 for real tokens, 0 for
 * padding) and {@link #TYPE_IDS} {@code [B, T]}, and {@code weight [B]} (0 for padding examples).
 * Loss: mean cross-entropy in nats over the selected tokens; metric {@code accuracy} over them.
 */
public final class BertMlm extends BaseModel {
    /** Batch feature of the (corrupted) input ids. */
    public static final String INPUTS = "inputs";

    /** Batch feature of the original ids, predicted where {@link #TARGET_WEIGHTS} is non-zero. */
    public static final String TARGETS = "targets";

    /** Batch feature of the per-token loss weights: 1 on the positions selected for masking. */
    public static final String TARGET_WEIGHTS = "target_weights";

    /** Batch feature of the attention mask: 1 for real tokens, 0 for padding. */
    public static final String INPUT_MASK = "input_mask";

    /** Batch feature of the token-type (segment) ids. */
    public static final String TYPE_IDS = "type_ids";

    /** Config of {@link BertMlm}. */
    public static final class Config extends BaseModel.Config<Config, BertMlm> {
        /** The encoder, e.g. {@link BertEncoder#tiny()}. */
        private BertEncoder.Config encoder = BertEncoder.config();

        /** The masked-LM head; the model writes its dims. */
        private BertMlmHead.Config head = BertMlmHead.config();

        /** The loss over the vocabulary at the selected positions. */
        private CrossEntropy.Config loss = CrossEntropy.config();

        public Config encoder(BertEncoder.Config v) {
            return set(() -> encoder = v.copy());
        }

        public Config head(BertMlmHead.Config v) {
            return set(() -> head = v.copy());
        }

        public Config loss(CrossEntropy.Config v) {
            return set(() -> loss = v.copy());
        }

        /** The encoder config. */
        public BertEncoder.Config encoder() {
            return encoder;
        }

        @Override
        protected BertMlm create() {
            return new BertMlm(this);
        }
    }

    /** A new config; set the encoder. */
    public static Config config() {
        return new Config();
    }

    /** A masked LM on {@code encoder}, initialised as BERT ({@link BertEncoder#bertInit()}). */
    public static Config of(BertEncoder.Config encoder) {
        return config().paramInit(BertEncoder.bertInit()).encoder(encoder);
    }

    private final Config cfg;
    private final BertEncoder bert;
    private final BertMlmHead head;
    private final CrossEntropy loss;

    private BertMlm(Config cfg) {
        super(cfg);
        this.cfg = cfg;
        bert = child("bert", cfg.encoder);
        head =
                child(
                        "mlm_head",
                        cfg.head,
                        c -> c.dim(cfg.encoder.dim()).vocabSize(cfg.encoder.vocabSize()));
        loss = cfg.loss.instantiateAt(ConfigPath.child(cfg.path(), "loss"));
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    /**
     * The encoder's final hidden states.
     *
     * @param ctx the model's context
     * @param ids {@code [B, T]}
     * @param typeIds {@code [B, T]} or {@code null}
     * @param mask {@code [B, T]} (1 real, 0 padding) or {@code null}
     * @return {@code [B, T, dim]}
     */
    public NDArray hidden(ForwardContext ctx, NDArray ids, NDArray typeIds, NDArray mask) {
        return bert.forward(ctx.child(bert), ids, typeIds, mask);
    }

    /**
     * Masked-LM logits at every position of hidden states.
     *
     * @param ctx the model's context
     * @param hidden {@code [..., dim]}
     * @return {@code [..., vocabSize]}
     */
    public NDArray logits(ForwardContext ctx, NDArray hidden) {
        ForwardContext headCtx = ctx.child(head);
        NDArray tied = bert.attend(ctx.child(bert), head.transform(headCtx, hidden));
        return head.addOutputBias(headCtx, tied);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Only the selected positions (non-zero weight) go through the head and the {@code [N,
     * vocabSize]} output layer, about 15% of the tokens, rather than all {@code B x T}.
     */
    @Override
    public Output forward(ForwardContext ctx, Map<String, NDArray> batch) {
        int vocab = cfg.encoder.vocabSize();
        NDArray ids = ids(batch, INPUTS, vocab, "encoder.vocabSize");
        NDArray targets = ids(batch, TARGETS, vocab, "encoder.vocabSize");
        NDArray h = hidden(ctx, ids, batch.get(TYPE_IDS), batch.get(INPUT_MASK));
        NDArray weights =
                batch.get(TARGET_WEIGHTS)
                        .toType(DataType.FLOAT32, false)
                        .mul(batch.get("weight").toType(DataType.FLOAT32, false).expandDims(1))
                        .reshape(-1);
        NDArray selected = weights.gt(0).nonzero().reshape(-1); // [N] flat positions
        CrossEntropy.Output out;
        if (selected.isEmpty()) {
            out = loss.forward(logits(ctx, h), targets, weights.reshape(targets.getShape()));
        } else {
            long n = selected.getShape().get(0);
            long dim = h.getShape().get(2);
            NDArray rows = selected.reshape(n, 1).broadcast(n, dim);
            NDArray hSelected = h.reshape(-1, dim).gather(rows, 0); // [N, dim]
            out =
                    loss.forward(
                            logits(ctx, hSelected),
                            targets.reshape(-1).gather(selected, 0),
                            weights.gather(selected, 0));
        }
        return new Output(out.loss(), out.totalWeight(), out.metrics(cfg.loss.zLossScale() > 0));
    }
}

package io.axlearn.text.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.axlearn.core.config.ConfigPath;
import io.axlearn.core.config.Required;
import io.axlearn.core.layers.Dropout;
import io.axlearn.core.layers.Linear;
import io.axlearn.core.losses.CrossEntropy;
import io.axlearn.core.metrics.PositiveClassMetrics;
import io.axlearn.core.module.BaseModel;
import io.axlearn.core.module.ForwardContext;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * BERT sequence classification (fine-tuning, <a href="https://arxiv.org/abs/1810.04805">Devlin et
 * al. 2019</a> §4.1): the pooled {@code [CLS]} state through dropout and a linear layer to {@code
 * numClasses} logits.
 *
 * <p>Children: {@code bert} ({@link BertEncoder}), {@code pooler} ({@link BertPooler}), {@code
 * classifier_dropout}, {@code classifier} ({@link Linear} {@code dim -> numClasses}). Against
 * Hugging Face's {@code BertForSequenceClassification}: {@code bert/...} is {@code bert....} (see
 * {@link BertEncoder}), {@code pooler/dense} is {@code bert.pooler.dense}, {@code classifier} is
 * {@code classifier} (weights transposed).
 *
 * <p>Batch features: {@link BertMlm#INPUTS} {@code [B, T]}, optional {@link BertMlm#INPUT_MASK} and
 * {@link BertMlm#TYPE_IDS} {@code [B, T]}, {@link #LABELS} {@code [B]} (or {@code [B, 1]}) class
 * ids and {@code weight [B]}. Loss: weighted mean cross-entropy in nats per example; metric {@code
 * accuracy}, and with {@code positiveClass} set that class's {@code precision}, {@code recall} and
 * {@code f1}.
 */
public final class BertClassifier extends BaseModel {
    /** Batch feature of the class ids, {@code [B]}. */
    public static final String LABELS = "labels";

    /** Config of {@link BertClassifier}. */
    public static final class Config extends BaseModel.Config<Config, BertClassifier> {
        /** The encoder, e.g. {@link BertEncoder#tiny()}. */
        private BertEncoder.Config encoder = BertEncoder.config();

        /** Number of classes. */
        @Required private Integer numClasses;

        /** The pooler; the model writes its dim. */
        private BertPooler.Config pooler = BertPooler.config();

        /** Dropout on the pooled output (Hugging Face: {@code hidden_dropout_prob}, 0.1). */
        private Dropout.Config classifierDropout = Dropout.config().rate(0.1);

        /** The output layer {@code dim -> numClasses}; the model writes its dims. */
        private Linear.Config classifier = Linear.config();

        /** The loss over the classes. */
        private CrossEntropy.Config loss = CrossEntropy.config();

        /**
         * A class id whose precision, recall and F1 are reported besides the accuracy (spam in a
         * spam filter; see {@link PositiveClassMetrics}); {@code null} for none.
         */
        private Integer positiveClass;

        public Config encoder(BertEncoder.Config v) {
            return set(() -> encoder = v.copy());
        }

        public Config numClasses(int v) {
            return set(() -> numClasses = v);
        }

        /** The number of classes. */
        public Integer numClasses() {
            return numClasses;
        }

        public Config pooler(BertPooler.Config v) {
            return set(() -> pooler = v.copy());
        }

        public Config classifierDropout(Dropout.Config v) {
            return set(() -> classifierDropout = v.copy());
        }

        public Config classifier(Linear.Config v) {
            return set(() -> classifier = v.copy());
        }

        public Config loss(CrossEntropy.Config v) {
            return set(() -> loss = v.copy());
        }

        /** Sets the class whose precision, recall and F1 are reported ({@code null}: none). */
        public Config positiveClass(Integer v) {
            return set(() -> positiveClass = v);
        }

        @Override
        protected void validate() {
            if (numClasses < 2) {
                throw invalid("numClasses", "must be at least 2, got " + numClasses);
            }
            if (positiveClass != null && (positiveClass < 0 || positiveClass >= numClasses)) {
                throw invalid(
                        "positiveClass",
                        "must be in [0, numClasses = " + numClasses + "), got " + positiveClass);
            }
        }

        @Override
        protected BertClassifier create() {
            return new BertClassifier(this);
        }
    }

    /** A new config; set the encoder and {@code numClasses}. */
    public static Config config() {
        return new Config();
    }

    /** A classifier on {@code encoder}, initialised as BERT ({@link BertEncoder#bertInit()}). */
    public static Config of(BertEncoder.Config encoder, int numClasses) {
        return config().paramInit(BertEncoder.bertInit()).encoder(encoder).numClasses(numClasses);
    }

    private final Config cfg;
    private final BertEncoder bert;
    private final BertPooler pooler;
    private final Dropout dropout;
    private final Linear classifier;
    private final CrossEntropy loss;

    private BertClassifier(Config cfg) {
        super(cfg);
        this.cfg = cfg;
        int dim = cfg.encoder.dim();
        bert = child("bert", cfg.encoder);
        pooler = child("pooler", cfg.pooler, c -> c.dim(dim));
        dropout = child("classifier_dropout", cfg.classifierDropout);
        classifier =
                child("classifier", cfg.classifier, c -> c.inputDim(dim).outputDim(cfg.numClasses));
        loss = cfg.loss.instantiateAt(ConfigPath.child(cfg.path(), "loss"));
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    /**
     * Class logits.
     *
     * @param ctx the model's context
     * @param ids {@code [B, T]}
     * @param typeIds {@code [B, T]} or {@code null}
     * @param mask {@code [B, T]} (1 real, 0 padding) or {@code null}
     * @return {@code [B, numClasses]}
     */
    public NDArray logits(ForwardContext ctx, NDArray ids, NDArray typeIds, NDArray mask) {
        NDArray h = bert.forward(ctx.child(bert), ids, typeIds, mask);
        NDArray pooled = pooler.forward(ctx.child(pooler), h);
        pooled = dropout.forward(ctx.child(dropout), pooled);
        return classifier.forward(ctx.child(classifier), pooled);
    }

    @Override
    public Output forward(ForwardContext ctx, Map<String, NDArray> batch) {
        NDArray ids = ids(batch, BertMlm.INPUTS, cfg.encoder.vocabSize(), "encoder.vocabSize");
        NDArray labels = ids(batch, LABELS, cfg.numClasses, "numClasses");
        if (labels.getShape().dimension() == 2) {
            labels = labels.reshape(labels.getShape().get(0)); // [B, 1] from an Input
        }
        NDArray logits =
                logits(ctx, ids, batch.get(BertMlm.TYPE_IDS), batch.get(BertMlm.INPUT_MASK));
        NDArray weights = batch.get("weight").toType(DataType.FLOAT32, false);
        CrossEntropy.Output out = loss.forward(logits, labels, weights);
        Map<String, NDArray> metrics = new LinkedHashMap<>(out.metrics(cfg.loss.zLossScale() > 0));
        if (cfg.positiveClass == null) {
            return new Output(out.loss(), out.totalWeight(), metrics);
        }
        PositiveClassMetrics positive =
                PositiveClassMetrics.of(logits, labels, weights, cfg.positiveClass);
        metrics.putAll(positive.metrics());
        return new Output(out.loss(), out.totalWeight(), metrics, positive.weights());
    }
}

package io.axlearn.core.losses;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.config.InstantiableConfig;
import io.axlearn.core.ndarray.OwnedArrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Softmax cross-entropy between logits and integer class targets, with label smoothing, per-target
 * weights and an optional z-loss; the mean in nats over the weighted targets (axlearn's {@code
 * loss.cross_entropy}, {@code torch.nn.functional.cross_entropy}).
 *
 * <p>Shapes: logits {@code [..., V]} (for a language model {@code [B, T, V]}, for a classifier
 * {@code [B, V]}), targets {@code [...]} with integer ids in {@code [0, V)}, weights {@code [...]}
 * (0 drops a target, e.g. padding; the default weighs every target 1). For target {@code t} with
 * log-probabilities {@code log p = logSoftmax(logits)}:
 *
 * <pre>
 *   ce_t     = -(1 - eps) log p[t] - eps * mean_v log p[v]        (label smoothing eps)
 *   logZ_t   = logsumexp_v logits[v]
 *   loss     = sum_t w_t ce_t / sum_t w_t  +  zLossScale * sum_t w_t logZ_t^2 / sum_t w_t
 * </pre>
 *
 * Label smoothing follows {@code torch.nn.functional.cross_entropy(label_smoothing=eps)}: the
 * target distribution is {@code (1 - eps)} on the target plus {@code eps / V} on every class
 * (Szegedy et al., <a href="https://arxiv.org/abs/1512.00567">arXiv:1512.00567</a>, §7). The z-loss
 * keeps the softmax normaliser near 1 so that logits do not drift (PaLM, Chowdhery et al., <a
 * href="https://arxiv.org/abs/2204.02311">arXiv:2204.02311</a>, §5, which uses {@code 1e-4}). When
 * every weight is 0 the loss is 0, not NaN.
 *
 * <p>The target's log-probability is picked with {@code gather} along the class axis, so beside the
 * logits the loss allocates one {@code [..., V]} array (the log-softmax, which its backward pass
 * reuses) and never a one-hot of the targets ({@code docs/performance.md} measures both). Every
 * result lands on the logits' manager.
 *
 * <pre>{@code
 * CrossEntropy loss = CrossEntropy.config().labelSmoothing(0.1).instantiate();
 * CrossEntropy.Output out = loss.forward(logits, targets, weights);  // [B, T, V], [B, T], [B, T]
 * return new BaseModel.Output(out.loss(), out.totalWeight(), out.metrics());
 * }</pre>
 */
public final class CrossEntropy {

    /** Config of {@link CrossEntropy}. */
    public static final class Config extends InstantiableConfig<Config, CrossEntropy> {
        /**
         * Probability mass moved from the target to a uniform distribution over all {@code V}
         * classes (torch's {@code label_smoothing}); in {@code [0, 1)}, 0 for plain cross-entropy.
         */
        private double labelSmoothing = 0;

        /**
         * Coefficient of the z-loss, the weighted mean of {@code logsumexp(logits)^2}; >= 0, 0 for
         * none. PaLM uses {@code 1e-4}.
         */
        private double zLossScale = 0;

        /** Sets the label smoothing. */
        public Config labelSmoothing(double v) {
            return set(() -> labelSmoothing = v);
        }

        /** Sets the z-loss coefficient. */
        public Config zLossScale(double v) {
            return set(() -> zLossScale = v);
        }

        /** The z-loss coefficient (0: none). */
        public double zLossScale() {
            return zLossScale;
        }

        @Override
        protected void validate() {
            if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
                throw invalid("labelSmoothing", "must be in [0, 1), got " + labelSmoothing);
            }
            if (!(zLossScale >= 0 && zLossScale < Double.POSITIVE_INFINITY)) {
                throw invalid("zLossScale", "must be >= 0 and finite, got " + zLossScale);
            }
        }

        @Override
        protected CrossEntropy create() {
            return new CrossEntropy(this);
        }
    }

    /** A new config: plain cross-entropy, no smoothing, no z-loss. */
    public static Config config() {
        return new Config();
    }

    /**
     * What {@link #forward} computes. Scalars are 0-d arrays of the logits' float type; nothing is
     * copied to the host.
     *
     * @param loss the value to minimise: {@code crossEntropy + zLoss}
     * @param crossEntropy the weighted mean (label-smoothed) cross-entropy in nats
     * @param zLoss the z-loss term, already multiplied by {@code zLossScale} (0 when off)
     * @param totalWeight the sum of the weights, the denominator of every mean (e.g. the number of
     *     real target tokens); evaluation combines batches with it
     * @param perTarget {@code [...]} the unweighted (label-smoothed) cross-entropy of every target
     * @param correct {@code [...]} 1 where the arg-max of the logits is the target, else 0
     * @param accuracy the weighted mean of {@code correct}
     */
    public record Output(
            NDArray loss,
            NDArray crossEntropy,
            NDArray zLoss,
            NDArray totalWeight,
            NDArray perTarget,
            NDArray correct,
            NDArray accuracy) {

        /**
         * The scalar metrics by summary name, each a weighted mean with weight {@link
         * #totalWeight}: {@code accuracy}, plus {@code cross_entropy} and {@code z_loss} when the
         * loss has a z-loss term (otherwise the loss is the cross-entropy).
         *
         * @param withZLoss whether to include the two terms of the loss
         */
        public Map<String, NDArray> metrics(boolean withZLoss) {
            Map<String, NDArray> m = new LinkedHashMap<>();
            m.put("accuracy", accuracy);
            if (withZLoss) {
                m.put("cross_entropy", crossEntropy);
                m.put("z_loss", zLoss);
            }
            return m;
        }
    }

    private final Config cfg;

    private CrossEntropy(Config cfg) {
        this.cfg = cfg;
    }

    /** The frozen config. */
    public Config getConfig() {
        return cfg;
    }

    /** Whether {@link Output#zLoss} can be non-zero. */
    public boolean hasZLoss() {
        return cfg.zLossScale > 0;
    }

    /**
     * The loss with every target weighted 1.
     *
     * @param logits {@code [..., V]} unnormalised scores
     * @param targets {@code [...]} integer class ids in {@code [0, V)}
     */
    public Output forward(NDArray logits, NDArray targets) {
        return forward(logits, targets, logits.getManager().ones(targets.getShape()));
    }

    /**
     * The loss of {@code logits} against {@code targets}, weighted per target.
     *
     * @param logits {@code [..., V]} unnormalised scores (float32, or another float type)
     * @param targets {@code [...]} integer class ids in {@code [0, V)}; an id out of range fails in
     *     the engine's gather
     * @param weights {@code [...]} non-negative weight of each target (0 masks it)
     * @throws IllegalArgumentException if the shapes do not fit together or the targets are not
     *     integers
     */
    public Output forward(NDArray logits, NDArray targets, NDArray weights) {
        checkShapes(logits, targets, weights);
        DataType type = logits.getDataType();
        NDArray index = targets.toType(DataType.INT64, false).expandDims(-1); // [..., 1]
        NDArray logProbs = logits.logSoftmax(-1); // [..., V]
        NDArray targetLogProb = logProbs.gather(index, -1).squeeze(-1); // [...]
        float eps = (float) cfg.labelSmoothing; // float: a double scalar would promote
        NDArray perTarget =
                eps == 0
                        ? targetLogProb.neg()
                        : targetLogProb
                                .mul(OwnedArrays.scalar(targetLogProb, (float) -(1 - eps)))
                                .sub(
                                        logProbs.mean(new int[] {-1})
                                                .mul(
                                                        OwnedArrays.scalar(
                                                                targetLogProb, (float) eps)));
        NDArray w = weights.toType(type, false);
        NDArray totalWeight = w.sum();
        // Where every weight is 0 the numerators are 0 too: divide by 1 to return 0, not NaN.
        NDArray denominator = totalWeight.add(totalWeight.eq(0).toType(type, false));
        NDArray crossEntropy = perTarget.mul(w).sum().div(denominator);
        NDArray zLoss;
        NDArray loss;
        if (hasZLoss()) {
            // log p[t] = logits[t] - logZ, so logZ = logits[t] - log p[t]: no second [..., V] pass,
            // and its gradient is softmax(logits), as for logsumexp.
            NDArray logZ = logits.gather(index, -1).squeeze(-1).sub(targetLogProb);
            zLoss = logZ.square().mul(w).sum().div(denominator);
            zLoss = zLoss.mul(OwnedArrays.scalar(zLoss, (float) cfg.zLossScale));
            loss = crossEntropy.add(zLoss);
        } else {
            zLoss = crossEntropy.zerosLike();
            loss = crossEntropy;
        }
        NDArray correct = logits.argMax(-1).eq(index.squeeze(-1)).toType(type, false);
        NDArray accuracy = correct.mul(w).sum().div(denominator);
        return new Output(loss, crossEntropy, zLoss, totalWeight, perTarget, correct, accuracy);
    }

    /** Checks {@code logits [..., V]}, {@code targets [...]} integer, {@code weights [...]}. */
    static void checkShapes(NDArray logits, NDArray targets, NDArray weights) {
        Shape lead = logits.getShape();
        if (lead.dimension() < 1
                || !lead.slice(0, lead.dimension() - 1).equals(targets.getShape())) {
            throw new IllegalArgumentException(
                    "logits "
                            + lead
                            + " must be targets "
                            + targets.getShape()
                            + " plus a class axis");
        }
        if (!targets.getDataType().isInteger()) {
            throw new IllegalArgumentException(
                    "targets must be integer class ids, got " + targets.getDataType());
        }
        if (!weights.getShape().equals(targets.getShape())) {
            throw new IllegalArgumentException(
                    "weights "
                            + weights.getShape()
                            + " must have the shape of the targets "
                            + targets.getShape());
        }
    }
}

package io.axlearn.core.losses;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.axlearn.core.config.InstantiableConfig;
import io.axlearn.core.ndarray.OwnedArrays;
import java.util.Map;

/**
 * Binary (sigmoid) cross-entropy between logits and targets in {@code [0, 1]}, one independent
 * yes/no decision per element, weighted mean in nats ({@code
 * torch.nn.functional.binary_cross_entropy_with_logits}, axlearn's {@code
 * loss.binary_cross_entropy}); for multi-label classification.
 *
 * <p>Shapes: logits, targets and weights all {@code [...]}. Per element, in the overflow-free form
 * {@code l = max(x, 0) - x y + log(1 + exp(-|x|))}, which equals {@code -y log sigmoid(x) - (1 - y)
 * log(1 - sigmoid(x))}; the loss is {@code sum(w l) / sum(w)} (0 when every weight is 0). Every
 * result lands on the logits' manager.
 */
public final class SigmoidCrossEntropy {

    /** Config of {@link SigmoidCrossEntropy}; it has no fields yet. */
    public static final class Config extends InstantiableConfig<Config, SigmoidCrossEntropy> {
        @Override
        protected SigmoidCrossEntropy create() {
            return new SigmoidCrossEntropy(this);
        }
    }

    /** A new config. */
    public static Config config() {
        return new Config();
    }

    /**
     * What {@link #forward} computes; scalars are 0-d arrays of the logits' float type.
     *
     * @param loss the weighted mean binary cross-entropy in nats
     * @param totalWeight the sum of the weights, the denominator of the means
     * @param perTarget {@code [...]} the unweighted loss of every element
     * @param correct {@code [...]} 1 where {@code logits > 0} agrees with {@code targets > 1/2}
     * @param accuracy the weighted mean of {@code correct}
     */
    public record Output(
            NDArray loss,
            NDArray totalWeight,
            NDArray perTarget,
            NDArray correct,
            NDArray accuracy) {

        /** The scalar metrics by summary name: {@code accuracy}. */
        public Map<String, NDArray> metrics() {
            return Map.of("accuracy", accuracy);
        }
    }

    private final Config cfg;

    private SigmoidCrossEntropy(Config cfg) {
        this.cfg = cfg;
    }

    /** The frozen config. */
    public Config getConfig() {
        return cfg;
    }

    /**
     * The weighted loss.
     *
     * @param logits {@code [...]} unnormalised scores
     * @param targets {@code [...]} target probabilities in {@code [0, 1]} (usually 0 or 1)
     * @param weights {@code [...]} non-negative weight of each element (0 masks it)
     * @throws IllegalArgumentException if the three shapes differ
     */
    public Output forward(NDArray logits, NDArray targets, NDArray weights) {
        if (!targets.getShape().equals(logits.getShape())
                || !weights.getShape().equals(logits.getShape())) {
            throw new IllegalArgumentException(
                    "logits "
                            + logits.getShape()
                            + ", targets "
                            + targets.getShape()
                            + " and weights "
                            + weights.getShape()
                            + " must have one shape");
        }
        DataType type = logits.getDataType();
        NDArray y = targets.toType(type, false);
        NDArray perTarget =
                logits.maximum(OwnedArrays.scalar(logits, 0f))
                        .sub(logits.mul(y))
                        .add(logits.abs().neg().exp().add(1f).log());
        NDArray w = weights.toType(type, false);
        NDArray totalWeight = w.sum();
        NDArray denominator = totalWeight.add(totalWeight.eq(0).toType(type, false));
        NDArray loss = perTarget.mul(w).sum().div(denominator);
        NDArray correct = logits.gt(0f).eq(y.gt(0.5f)).toType(type, false);
        NDArray accuracy = correct.mul(w).sum().div(denominator);
        return new Output(loss, totalWeight, perTarget, correct, accuracy);
    }
}

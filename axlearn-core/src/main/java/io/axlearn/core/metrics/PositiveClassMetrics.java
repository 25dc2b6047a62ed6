package io.axlearn.core.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Precision, recall and F1 of one class (the "positive" class, e.g. spam) of a classifier, each
 * written as a weighted mean so that batches combine into the exact value over the whole set.
 *
 * <p>With {@code TP}, {@code FP}, {@code FN} the weighted counts of true positives, false positives
 * and false negatives: precision {@code TP / (TP + FP)} is the mean of "correct" over the predicted
 * positives (weight {@code TP + FP}); recall {@code TP / (TP + FN)} the mean over the actual
 * positives (weight {@code TP + FN}); and {@code F1 = 2 TP / (2 TP + FP + FN)} is the mean of "true
 * positive" over the predicted and the actual positives counted together (weight {@code 2 TP + FP +
 * FN}: a true positive counts twice). Combining batch values {@code m_b} with weights {@code w_b}
 * as {@code sum(m_b w_b) / sum(w_b)} sums the counts, so the combined F1 is the F1 of the whole
 * set, not a mean of batch F1s. A batch without predicted or actual positives has value 0 with
 * weight 0 and changes nothing.
 *
 * <pre>{@code
 * PositiveClassMetrics m = PositiveClassMetrics.of(logits, labels, weights, 1);
 * return new Output(loss, totalWeight, merged(accuracy, m.metrics()), m.weights());
 * }</pre>
 *
 * @param metrics {@code precision}, {@code recall} and {@code f1}, scalars
 * @param weights the weight behind each of {@code metrics}, scalars
 */
public record PositiveClassMetrics(Map<String, NDArray> metrics, Map<String, NDArray> weights) {

    /** Name of the precision metric. */
    public static final String PRECISION = "precision";

    /** Name of the recall metric. */
    public static final String RECALL = "recall";

    /** Name of the F1 metric. */
    public static final String F1 = "f1";

    /**
     * The metrics of class {@code positive}.
     *
     * @param logits {@code [B, C]} scores; the prediction is the arg-max
     * @param labels {@code [B]} class ids
     * @param weights {@code [B]} example weights (0 for padding)
     * @param positive the class id counted as positive, in {@code [0, C)}
     */
    public static PositiveClassMetrics of(
            NDArray logits, NDArray labels, NDArray weights, int positive) {
        NDArray w = weights.toType(DataType.FLOAT32, false);
        NDArray predicted =
                logits.argMax(-1)
                        .toType(DataType.INT64, false)
                        .eq(positive)
                        .toType(DataType.FLOAT32, false)
                        .mul(w);
        NDArray actual =
                labels.toType(DataType.INT64, false)
                        .eq(positive)
                        .toType(DataType.FLOAT32, false)
                        .mul(w);
        NDArray tp = predicted.mul(actual.gt(0).toType(DataType.FLOAT32, false)).sum();
        NDArray predictedPositives = predicted.sum();
        NDArray actualPositives = actual.sum();
        NDArray both = predictedPositives.add(actualPositives);
        Map<String, NDArray> metrics = new LinkedHashMap<>();
        Map<String, NDArray> metricWeights = new LinkedHashMap<>();
        metrics.put(PRECISION, ratio(tp, predictedPositives));
        metricWeights.put(PRECISION, predictedPositives);
        metrics.put(RECALL, ratio(tp, actualPositives));
        metricWeights.put(RECALL, actualPositives);
        metrics.put(F1, ratio(tp.mul(2), both));
        metricWeights.put(F1, both);
        return new PositiveClassMetrics(metrics, metricWeights);
    }

    /** {@code num / den}, 0 where {@code den} is 0 (then {@code num} is 0 too). */
    private static NDArray ratio(NDArray num, NDArray den) {
        return num.div(den.add(den.eq(0).toType(DataType.FLOAT32, false)));
    }
}

package io.axlearn.core.module;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.config.ConfigPath;
import java.util.Map;

/**
 * A layer that the trainer can train: maps a batch (feature name to array, including the
 * per-example {@code weight}) to a scalar loss and weighted metrics.
 */
public abstract class BaseModel extends BaseLayer {

    /**
     * Config of every model.
     *
     * @param <S> the concrete config type
     * @param <T> the model type
     */
    public abstract static class Config<S extends Config<S, T>, T extends BaseModel>
            extends BaseLayer.Config<S, T> {}

    /**
     * What a model's forward pass returns.
     *
     * @param loss scalar loss to minimise (a weighted mean over the batch)
     * @param lossWeight scalar total weight behind {@code loss} (e.g. the number of real target
     *     tokens); evaluation combines batches with it
     * @param metrics further scalar metrics by name, each a weighted mean with weight {@code
     *     lossWeight} unless {@code metricWeights} names another
     * @param metricWeights scalar weights of the metrics that are means over something other than
     *     {@code lossWeight} (precision: over the predicted positives; F1: see {@link
     *     io.axlearn.core.metrics.PositiveClassMetrics}); batches and micro-batches combine each
     *     metric with its own weight, so the combined mean is exact over the whole set
     */
    public record Output(
            NDArray loss,
            NDArray lossWeight,
            Map<String, NDArray> metrics,
            Map<String, NDArray> metricWeights) {

        /** Checks that every metric weight belongs to a metric. */
        public Output {
            metricWeights = Map.copyOf(metricWeights);
            for (String name : metricWeights.keySet()) {
                if (!metrics.containsKey(name)) {
                    throw new IllegalArgumentException(
                            "metric weight "
                                    + name
                                    + " has no metric; metrics: "
                                    + metrics.keySet());
                }
            }
        }

        /** An output whose metrics are all weighted with {@code lossWeight}. */
        public Output(NDArray loss, NDArray lossWeight, Map<String, NDArray> metrics) {
            this(loss, lossWeight, metrics, Map.of());
        }

        /** The weight of metric {@code name}: its own, else {@code lossWeight}. */
        public NDArray weightOf(String name) {
            return metricWeights.getOrDefault(name, lossWeight);
        }
    }

    protected BaseModel(Config<?, ?> config) {
        super(config);
    }

    /**
     * Computes the loss of a batch.
     *
     * @param ctx the root context of the pass
     * @param batch arrays by feature name, created on {@code ctx.manager()}
     */
    public abstract Output forward(ForwardContext ctx, Map<String, NDArray> batch);

    /**
     * The integer feature {@code name} of {@code batch}, checked to hold ids in {@code [0, limit)}
     * (one min and one max per call) before an embedding or one-hot lookup turns a bad id into an
     * engine error without context.
     *
     * @param limitField the field of this model's config that sets {@code limit} ({@code
     *     vocabSize}); the error names it
     * @throws ConfigException naming the feature, the id outside the range and the config field
     */
    protected final NDArray ids(
            Map<String, NDArray> batch, String name, long limit, String limitField) {
        NDArray ids = batch.get(name);
        if (ids == null) {
            throw new IllegalArgumentException(
                    "batch has no feature " + name + "; it has " + batch.keySet());
        }
        if (ids.isEmpty()) {
            return ids;
        }
        long min = ids.min().toType(DataType.INT64, false).getLong();
        long max = ids.max().toType(DataType.INT64, false).getLong();
        if (min < 0 || max >= limit) {
            throw new ConfigException(
                    ConfigPath.child(getConfig().path(), limitField)
                            + " is "
                            + limit
                            + ", but feature "
                            + name
                            + " of the batch holds id "
                            + (min < 0 ? min : max)
                            + "; ids must be in [0, "
                            + limit
                            + ")");
        }
        return ids;
    }
}

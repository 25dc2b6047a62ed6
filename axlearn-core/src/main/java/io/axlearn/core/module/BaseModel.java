package io.axlearn.core.module;

import ai.djl.ndarray.NDArray;
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
     *     lossWeight}
     */
    public record Output(NDArray loss, NDArray lossWeight, Map<String, NDArray> metrics) {}

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
}

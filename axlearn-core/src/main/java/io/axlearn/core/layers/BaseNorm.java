package io.axlearn.core.layers;

import ai.djl.ndarray.NDArray;
import io.axlearn.core.config.Required;
import io.axlearn.core.module.BaseLayer;
import io.axlearn.core.module.ForwardContext;

/**
 * Base of normalisation layers over the last axis; a parent's norm slot is typed {@code
 * BaseNorm.Config<?, ?>} so that LayerNorm and RMSNorm swap with one setter.
 */
public abstract class BaseNorm extends BaseLayer {

    /**
     * Config of every norm.
     *
     * @param <S> the concrete config type
     * @param <T> the norm type
     */
    public abstract static class Config<S extends Config<S, T>, T extends BaseNorm>
            extends BaseLayer.Config<S, T> {
        /** Size of the normalised (last) axis; usually written by the parent. */
        @Required private Integer inputDim;

        /** Added to the variance (or mean square) before the square root; must be positive. */
        private double eps = 1e-6;

        /** Sets the size of the normalised axis. */
        public S inputDim(int v) {
            return set(() -> inputDim = v);
        }

        /** Sets epsilon. */
        public S eps(double v) {
            return set(() -> eps = v);
        }

        /** The size of the normalised axis. */
        public Integer inputDim() {
            return inputDim;
        }

        /** Epsilon. */
        public double eps() {
            return eps;
        }

        @Override
        protected void validate() {
            if (inputDim <= 0) {
                throw invalid("inputDim", "must be positive, got " + inputDim);
            }
            if (!(eps > 0)) {
                throw invalid("eps", "must be positive, got " + eps);
            }
        }
    }

    protected BaseNorm(Config<?, ?> config) {
        super(config);
    }

    /**
     * Normalises the last axis.
     *
     * @param ctx this layer's context
     * @param x input {@code [..., inputDim]}
     * @return output of the same shape
     */
    public abstract NDArray forward(ForwardContext ctx, NDArray x);
}

package io.axlearn.core.learner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.config.InstantiableConfig;
import java.util.Collection;
import java.util.function.UnaryOperator;

/**
 * Measures the global L2 norm of a set of gradients and, when it exceeds {@code maxNorm}, scales
 * them all down in place by {@code maxNorm / (norm + eps)} (Pascanu et al., <a
 * href="https://arxiv.org/abs/1211.5063">arXiv:1211.5063</a>; axlearn's {@code
 * clip_by_global_norm}, {@code torch.nn.utils.clip_grad_norm_}).
 *
 * <p>The norm is {@code sqrt(sum over all gradients of sum(g^2))}, computed in the gradients'
 * dtype. With {@code maxNorm == null} nothing is scaled and only the norm is reported.
 */
public final class GlobalNormClipping {

    /** Config of {@link GlobalNormClipping}. */
    public static final class Config extends InstantiableConfig<Config, GlobalNormClipping> {
        /** Largest allowed global norm; positive, or {@code null} to measure without clipping. */
        private Double maxNorm;

        /**
         * Added to the norm in the scale {@code maxNorm / (norm + eps)}; axlearn uses 1e-8, torch's
         * {@code clip_grad_norm_} 1e-6.
         */
        private double eps = 1e-8;

        /** Sets the largest allowed global norm ({@code null}: no clipping). */
        public Config maxNorm(Double v) {
            return set(() -> maxNorm = v);
        }

        /** Sets epsilon. */
        public Config eps(double v) {
            return set(() -> eps = v);
        }

        @Override
        protected void validate() {
            if (maxNorm != null && !(maxNorm > 0)) {
                throw invalid("maxNorm", "must be positive or null (off), got " + maxNorm);
            }
            if (!(eps >= 0)) {
                throw invalid("eps", "must be >= 0, got " + eps);
            }
        }

        @Override
        protected GlobalNormClipping create() {
            return new GlobalNormClipping(this);
        }
    }

    /** A config that clips to {@code maxNorm}. */
    public static Config config(Double maxNorm) {
        return new Config().maxNorm(maxNorm);
    }

    private final Double maxNorm;
    private final double eps;

    private GlobalNormClipping(Config cfg) {
        this.maxNorm = cfg.maxNorm;
        this.eps = cfg.eps;
    }

    /**
     * Scales {@code grads} in place if their global norm exceeds the maximum.
     *
     * @param grads the gradients (all on managers that outlive this call)
     * @return the global norm before clipping
     */
    public double clip(Collection<NDArray> grads) {
        if (grads.isEmpty()) {
            return 0;
        }
        try (NDArray norm = clipOnEngine(grads);
                NDArray wide = norm.toType(DataType.FLOAT64, true)) {
            return wide.getDouble();
        }
    }

    /**
     * Like {@link #clip} but without reading the norm back from the engine: the scale is {@code
     * min(1, maxNorm / (norm + eps))}, computed and applied on the engine as torch's {@code
     * clip_grad_norm_} does.
     *
     * @param grads the gradients, non-empty, all on one manager that outlives this call
     * @return the global norm before clipping, a float scalar on the gradients' manager
     */
    public NDArray clipOnEngine(Collection<NDArray> grads) {
        return clipOnEngine(grads, grads.iterator().next().getManager(), UnaryOperator.identity());
    }

    /**
     * Like {@link #clipOnEngine(Collection)} for one shard of the gradients (a sharded optimiser,
     * where each data-parallel rank holds the summed gradients of its own parameters only): the
     * shard's sum of squares goes through {@code sumOverShards}, which returns the sum over every
     * shard, so the norm, and the clipping scale, are the global ones on every shard.
     *
     * @param grads this shard's gradients, possibly none, all on {@code home}
     * @param home the gradients' manager, which outlives this call; the norm lands there
     * @param sumOverShards maps this shard's sum of squares (a float scalar) to the sum over all
     *     shards, a float scalar on the same manager (a data-parallel all-reduce)
     * @return the global norm before clipping, a float scalar on {@code home}
     */
    public NDArray clipOnEngine(
            Collection<NDArray> grads, NDManager home, UnaryOperator<NDArray> sumOverShards) {
        NDArray[] all = grads.toArray(NDArray[]::new);
        try (NDManager scope = home.newSubManager()) {
            scope.tempAttachAll(all);
            NDArray sumSq = null;
            for (NDArray g : all) {
                NDArray s = g.square().sum();
                sumSq = sumSq == null ? s : sumSq.addi(s);
            }
            if (sumSq == null) {
                sumSq = scope.zeros(new Shape(), DataType.FLOAT32);
            }
            NDArray norm = sumOverShards.apply(sumSq).sqrt();
            if (maxNorm != null) {
                NDArray scale = norm.add((float) eps).pow(-1).mul(maxNorm.floatValue()).minimum(1f);
                for (NDArray g : all) {
                    g.muli(scale);
                }
            }
            norm.attach(home);
            return norm;
        }
    }
}

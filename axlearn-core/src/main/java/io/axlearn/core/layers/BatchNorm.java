package io.axlearn.core.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.config.Required;
import io.axlearn.core.module.BaseLayer;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamSpec;
import java.util.Map;

/**
 * Batch normalisation (<a href="https://arxiv.org/abs/1502.03167">Ioffe and Szegedy 2015</a>) over
 * every axis except the channel axis.
 *
 * <p>Training normalises with the batch's mean and (biased) variance and reports new moving
 * statistics as state updates ({@code moving_mean = decay * moving_mean + (1 - decay) * mean}, and
 * the same for {@code moving_variance} with the unbiased batch variance, as PyTorch does); the
 * caller (the trainer) writes them into the parameter tree. Evaluation normalises with the moving
 * statistics. Parameters {@code scale}, {@code bias} (trainable, no weight decay), {@code
 * moving_mean}, {@code moving_variance} (non-trainable). Shapes: any rank, channels at {@code
 * channelAxis} (1 for {@code [N, C, H, W]} after {@link Conv2d}, -1 for channels-last). Channels at
 * axis 1 run PyTorch's fused {@code batch_norm} kernel (measured in docs/performance.md, "Image
 * classifiers"); other axes compose engine ops.
 */
public final class BatchNorm extends BaseLayer {

    /** Config of {@link BatchNorm}. */
    public static final class Config extends BaseLayer.Config<Config, BatchNorm> {
        /** Number of channels; usually written by the parent. */
        @Required private Integer inputDim;

        /** Axis of the channels in the input (negative counts from the end). */
        private int channelAxis = 1;

        /**
         * Weight of the old value in the moving statistics; PyTorch's momentum is {@code 1 -
         * decay}.
         */
        private double decay = 0.999;

        /** Added to the variance. */
        private double eps = 1e-5;

        public Config inputDim(int v) {
            return set(() -> inputDim = v);
        }

        public Config channelAxis(int v) {
            return set(() -> channelAxis = v);
        }

        public Config decay(double v) {
            return set(() -> decay = v);
        }

        public Config eps(double v) {
            return set(() -> eps = v);
        }

        @Override
        protected void validate() {
            if (!(decay >= 0 && decay < 1)) {
                throw invalid("decay", "must be in [0, 1), got " + decay);
            }
            if (!(eps > 0)) {
                throw invalid("eps", "must be positive, got " + eps);
            }
        }

        @Override
        protected BatchNorm create() {
            return new BatchNorm(this);
        }
    }

    /** A new config (channels at axis 1). */
    public static Config config() {
        return new Config();
    }

    private final Config cfg;

    private BatchNorm(Config cfg) {
        super(cfg);
        this.cfg = cfg;
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    @Override
    protected Map<String, ParamSpec> createParamSpecs() {
        return Map.of(
                "scale", ParamSpec.scale(cfg.inputDim),
                "bias", ParamSpec.bias(cfg.inputDim),
                "moving_mean", ParamSpec.statistic(cfg.inputDim, 0),
                "moving_variance", ParamSpec.statistic(cfg.inputDim, 1));
    }

    /**
     * Channels at axis 1 ({@code [N, C, ...]}): the engine's fused batch-norm kernel (PyTorch's
     * {@code batch_norm}), two passes over the input instead of a dozen elementwise ones. The
     * kernel updates the running statistics it is given in place, so it gets copies; the updated
     * copies become the state updates, and the parameters stay untouched until the step is done.
     */
    private NDArray fused(ForwardContext ctx, NDArray x, Shape channels) {
        NDArray mean = ctx.param("moving_mean", channels).stopGradient();
        NDArray variance = ctx.param("moving_variance", channels).stopGradient();
        if (ctx.training()) {
            mean = mean.duplicate();
            variance = variance.duplicate();
        }
        // DJL's axis -1 calls torch's batch_norm directly (channels at 1); its momentum is the
        // weight of the old value, our decay.
        NDArray y =
                ai.djl.nn.norm.BatchNorm.batchNorm(
                                x,
                                mean,
                                variance,
                                ctx.param("scale"),
                                ctx.param("bias"),
                                -1,
                                (float) cfg.decay,
                                (float) cfg.eps,
                                ctx.training())
                        .singletonOrThrow();
        if (ctx.training()) {
            ctx.addStateUpdate("moving_mean", mean);
            ctx.addStateUpdate("moving_variance", variance);
        }
        return y;
    }

    /** Mean over several axes, one at a time (the engine reduces one axis per call), kept. */
    private static NDArray meanOver(NDArray x, int[] axes) {
        NDArray out = x;
        for (int axis : axes) {
            out = out.mean(new int[] {axis}, true);
        }
        return out;
    }

    /**
     * @param ctx this layer's context (training uses batch statistics and adds state updates)
     * @param x input with {@code inputDim} channels at {@code channelAxis}
     * @return output of the same shape
     */
    public NDArray forward(ForwardContext ctx, NDArray x) {
        int rank = x.getShape().dimension();
        int channel = cfg.channelAxis < 0 ? rank + cfg.channelAxis : cfg.channelAxis;
        int[] reduce = new int[rank - 1];
        long[] broadcast = new long[rank];
        long count = 1;
        for (int i = 0, j = 0; i < rank; i++) {
            broadcast[i] = i == channel ? cfg.inputDim : 1;
            if (i != channel) {
                reduce[j++] = i;
                count *= x.getShape().get(i);
            }
        }
        Shape b = new Shape(broadcast);
        Shape channels = new Shape(cfg.inputDim);
        if (channel == 1 && rank >= 2) {
            return fused(ctx, x, channels);
        }
        NDArray mean;
        NDArray variance;
        if (ctx.training()) {
            mean = meanOver(x, reduce);
            variance = meanOver(x.sub(mean).square(), reduce);
            float keep = (float) cfg.decay;
            NDArray unbiased =
                    variance.mul((float) count / Math.max(count - 1, 1)).reshape(cfg.inputDim);
            ctx.addStateUpdate(
                    "moving_mean",
                    mean.reshape(cfg.inputDim)
                            .stopGradient()
                            .mul(1 - keep)
                            .add(ctx.param("moving_mean", channels).mul(keep)));
            ctx.addStateUpdate(
                    "moving_variance",
                    unbiased.stopGradient()
                            .mul(1 - keep)
                            .add(ctx.param("moving_variance", channels).mul(keep)));
        } else {
            mean = ctx.param("moving_mean", b);
            variance = ctx.param("moving_variance", b);
        }
        NDArray normalised = x.sub(mean).div(variance.add((float) cfg.eps).sqrt());
        return normalised.mul(ctx.param("scale", b)).add(ctx.param("bias", b));
    }
}

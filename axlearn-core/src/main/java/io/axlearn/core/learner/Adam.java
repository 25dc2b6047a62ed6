package io.axlearn.core.learner;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Adam (Kingma and Ba, <a href="https://arxiv.org/abs/1412.6980">arXiv:1412.6980</a>) with bias
 * correction, and its decoupled-weight-decay variant {@link AdamW}.
 *
 * <p>At step {@code t}: {@code mu = b1 mu + (1 - b1) g}, {@code nu = b2 nu + (1 - b2) g^2}, {@code
 * p -= lr / (1 - b1^t) * mu / (sqrt(nu) / sqrt(1 - b2^t) + eps)} (the arithmetic of {@code
 * torch.optim.Adam}). {@link Config}'s weight decay is an L2 term added to the gradient first
 * ({@code g += wd * scale_p * p}, as in {@code torch.optim.Adam}); {@link AdamW}'s shrinks the
 * weights before the step ({@code p *= 1 - lr * wd * scale_p}). State: {@code mu/<path>} and {@code
 * nu/<path>}.
 */
public final class Adam extends ElementwiseOptimizer {

    /** How weight decay enters the update. */
    enum Decay {
        /** Added to the gradient (L2 regularisation), so it is rescaled by the moments. */
        COUPLED,
        /** Applied to the weights beside the Adam step (Loshchilov and Hutter). */
        DECOUPLED
    }

    /**
     * The fields shared by {@link Adam.Config} and {@link AdamW.Config}.
     *
     * @param <S> the concrete config type
     */
    public abstract static class BaseConfig<S extends BaseConfig<S>> extends Optimizer.Config<S> {
        /** Decay rate of the first moment, in [0, 1). */
        private double beta1 = 0.9;

        /** Decay rate of the second moment, in [0, 1). */
        private double beta2 = 0.999;

        /** Added to the bias-corrected root second moment; positive. */
        private double eps = 1e-8;

        /**
         * Whether to update through PyTorch's fused multi-tensor kernel ({@code
         * torch._fused_adamw_}, as {@code torch.optim.AdamW(fused=True)}): one call and one pass
         * over each parameter per group of parameters with the same learning rate and decay. False
         * composes a dozen DJL ops per parameter; the two agree to float rounding. Falls back to
         * the composition, with one log line, where the kernel cannot run.
         */
        private boolean fused = true;

        /** Sets the first-moment decay rate. */
        public S beta1(double v) {
            return set(() -> beta1 = v);
        }

        /** Sets the second-moment decay rate. */
        public S beta2(double v) {
            return set(() -> beta2 = v);
        }

        /** Sets epsilon. */
        public S eps(double v) {
            return set(() -> eps = v);
        }

        /** Sets whether to use PyTorch's fused kernel. */
        public S fused(boolean v) {
            return set(() -> fused = v);
        }

        @Override
        protected void validate() {
            super.validate();
            checkUnitInterval("beta1", beta1);
            checkUnitInterval("beta2", beta2);
            checkPositive("eps", eps);
        }
    }

    /** Config of {@link Adam} with L2 (coupled) weight decay. */
    public static final class Config extends BaseConfig<Config> {
        @Override
        protected Adam create() {
            return new Adam(this, Decay.COUPLED);
        }
    }

    /** A new config with the defaults (set the learning rate). */
    public static Config config() {
        return new Config();
    }

    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final Decay decay;
    private final boolean fused;

    Adam(BaseConfig<?> cfg, Decay decay) {
        super(cfg, List.of("mu", "nu"));
        this.beta1 = cfg.beta1;
        this.beta2 = cfg.beta2;
        this.eps = cfg.eps;
        this.weightDecay = cfg.weightDecay();
        this.decay = decay;
        this.fused = cfg.fused;
    }

    /**
     * With {@link BaseConfig#fused}, one call of PyTorch's fused kernel per group of parameters
     * that share a learning rate and decay scale (groups in the order their first path comes);
     * otherwise, or where the kernel cannot run, {@link #updateParam} per parameter.
     */
    @Override
    protected void updateAll(long step, List<Target> targets) {
        Optional<FusedAdamKernel> kernel = fused ? FusedAdamKernel.instance() : Optional.empty();
        if (kernel.isEmpty() || targets.isEmpty()) {
            super.updateAll(step, targets);
            return;
        }
        Map<List<Double>, List<Target>> groups = new LinkedHashMap<>();
        for (Target t : targets) {
            groups.computeIfAbsent(List.of(t.lr(), t.decayScale()), k -> new ArrayList<>()).add(t);
        }
        for (List<Target> group : groups.values()) {
            List<NDArray> params = new ArrayList<>(group.size());
            List<NDArray> grads = new ArrayList<>(group.size());
            List<NDArray> mu = new ArrayList<>(group.size());
            List<NDArray> nu = new ArrayList<>(group.size());
            for (Target t : group) {
                params.add(t.param());
                grads.add(t.grad());
                mu.add(t.slots()[0]);
                nu.add(t.slots()[1]);
            }
            if (!FusedAdamKernel.accepts(params)
                    || !FusedAdamKernel.accepts(grads)
                    || !FusedAdamKernel.accepts(mu)
                    || !FusedAdamKernel.accepts(nu)) {
                super.updateAll(step, group);
                continue;
            }
            Target first = group.get(0);
            kernel.get()
                    .update(
                            decay == Decay.DECOUPLED,
                            params,
                            grads,
                            mu,
                            nu,
                            step,
                            first.lr(),
                            beta1,
                            beta2,
                            weightDecay * first.decayScale(),
                            eps);
        }
    }

    /**
     * AdamW: thirteen passes over the parameter with three full-size temporaries, one pass and one
     * temporary fewer than the formula read literally. The update phase is memory-bound (each pass
     * streams the whole parameter set), and a fresh temporary costs more than a pass here:
     *
     * <ul>
     *   <li>{@code mu} moves towards {@code g} in place, {@code mu = b1 (mu - g) + g}, which is
     *       {@code b1 mu + (1 - b1) g} without a temporary (torch's {@code lerp_});
     *   <li>both bias corrections are folded into two scalars: multiplying the numerator and the
     *       denominator of {@code lr / bc1 * mu / (sqrt(nu) / sqrt(bc2) + eps)} by {@code
     *       sqrt(bc2)} gives {@code s * mu / (sqrt(nu) + eps * sqrt(bc2))} with {@code s = lr *
     *       sqrt(bc2) / bc1}, so the division of the root by {@code sqrt(bc2)} goes.
     * </ul>
     *
     * <p>The optimiser goldens (torch.optim) still agree to 1e-6.
     */
    @Override
    protected void updateParam(
            long step, double lr, double decayScale, NDArray param, NDArray grad, NDArray[] slots) {
        double wd = weightDecay * decayScale;
        NDArray g = grad;
        if (wd != 0 && decay == Decay.COUPLED) {
            g = param.mul(wd).addi(grad);
        }
        if (wd != 0 && decay == Decay.DECOUPLED) {
            param.muli(1 - lr * wd);
        }
        NDArray mu = slots[0];
        NDArray nu = slots[1];
        mu.subi(g).muli(beta1).addi(g);
        nu.muli(beta2).addi(g.square().muli(1 - beta2));
        double rootCorrection2 = Math.sqrt(1 - Math.pow(beta2, step));
        double stepSize = lr * rootCorrection2 / (1 - Math.pow(beta1, step));
        NDArray denom = nu.sqrt().addi(eps * rootCorrection2);
        param.subi(mu.div(denom).muli(stepSize));
    }
}

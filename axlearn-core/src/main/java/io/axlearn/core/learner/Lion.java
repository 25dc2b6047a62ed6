package io.axlearn.core.learner;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * Lion, "EvoLved Sign Momentum" (Chen et al., <a href="https://arxiv.org/abs/2302.06675">Symbolic
 * Discovery of Optimization Algorithms</a>, Algorithm 2): the update is the sign of an
 * interpolation of momentum and gradient, so every element moves by exactly the learning rate.
 *
 * <p>{@code c = b1 m + (1 - b1) g}; {@code p -= lr * (sign(c) + wd * scale_p * p)} (decoupled
 * decay); {@code m = b2 m + (1 - b2) g}. The paper suggests a learning rate 3-10x smaller and a
 * weight decay 3-10x larger than AdamW's. State: {@code mu/<path>}.
 */
public final class Lion extends ElementwiseOptimizer {

    /** Config of {@link Lion}. */
    public static final class Config extends Optimizer.Config<Config> {
        /** Interpolation weight of the momentum in the update direction, in [0, 1). */
        private double beta1 = 0.9;

        /** Decay rate of the momentum, in [0, 1). */
        private double beta2 = 0.99;

        /** Sets the interpolation weight. */
        public Config beta1(double v) {
            return set(() -> beta1 = v);
        }

        /** Sets the momentum decay rate. */
        public Config beta2(double v) {
            return set(() -> beta2 = v);
        }

        @Override
        protected void validate() {
            super.validate();
            checkUnitInterval("beta1", beta1);
            checkUnitInterval("beta2", beta2);
        }

        @Override
        protected Lion create() {
            return new Lion(this);
        }
    }

    /** A new config with the paper's defaults (set the learning rate). */
    public static Config config() {
        return new Config();
    }

    private final double beta1;
    private final double beta2;
    private final double weightDecay;

    private Lion(Config cfg) {
        super(cfg, List.of("mu"));
        this.beta1 = cfg.beta1;
        this.beta2 = cfg.beta2;
        this.weightDecay = cfg.weightDecay();
    }

    @Override
    protected void updateParam(
            long step, double lr, double decayScale, NDArray param, NDArray grad, NDArray[] slots) {
        NDArray mu = slots[0];
        NDArray direction = mu.mul(beta1).addi(grad.mul(1 - beta1)).sign();
        double wd = weightDecay * decayScale;
        if (wd != 0) {
            param.muli(1 - lr * wd);
        }
        param.subi(direction.muli(lr));
        mu.muli(beta2).addi(grad.mul(1 - beta2));
    }
}

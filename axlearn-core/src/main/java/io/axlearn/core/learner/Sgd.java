package io.axlearn.core.learner;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * Stochastic gradient descent with optional heavy-ball or Nesterov momentum and L2 weight decay,
 * with the semantics of {@code torch.optim.SGD} (dampening 0).
 *
 * <p>With {@code d = g + wd * scale_p * p} (L2 decay, coupled: it goes through the momentum): plain
 * {@code p -= lr * d}; momentum {@code buf = momentum * buf + d; p -= lr * buf}; Nesterov {@code
 * buf = momentum * buf + d; p -= lr * (d + momentum * buf)} (Sutskever et al., <a
 * href="https://proceedings.mlr.press/v28/sutskever13.html">ICML 2013</a>). State: {@code
 * momentum/<path>} when {@code momentum > 0}, else none.
 */
public final class Sgd extends ElementwiseOptimizer {

    /** Config of {@link Sgd}. */
    public static final class Config extends Optimizer.Config<Config> {
        /** Momentum coefficient in [0, 1); 0 is plain SGD without state. */
        private double momentum = 0;

        /** Whether to use Nesterov momentum (requires {@code momentum > 0}). */
        private boolean nesterov = false;

        /** Sets the momentum coefficient. */
        public Config momentum(double v) {
            return set(() -> momentum = v);
        }

        /** Sets whether to use Nesterov momentum. */
        public Config nesterov(boolean v) {
            return set(() -> nesterov = v);
        }

        @Override
        protected void validate() {
            super.validate();
            checkUnitInterval("momentum", momentum);
            if (nesterov && momentum == 0) {
                throw invalid("nesterov", "requires momentum > 0");
            }
        }

        @Override
        protected Sgd create() {
            return new Sgd(this);
        }
    }

    /** A new config with the defaults (plain SGD; set the learning rate). */
    public static Config config() {
        return new Config();
    }

    private final double momentum;
    private final boolean nesterov;
    private final double weightDecay;

    private Sgd(Config cfg) {
        super(cfg, cfg.momentum > 0 ? List.of("momentum") : List.of());
        this.momentum = cfg.momentum;
        this.nesterov = cfg.nesterov;
        this.weightDecay = cfg.weightDecay();
    }

    @Override
    protected void updateParam(
            long step, double lr, double decayScale, NDArray param, NDArray grad, NDArray[] slots) {
        double wd = weightDecay * decayScale;
        NDArray d = wd != 0 ? grad.add(param.mul(wd)) : grad;
        if (momentum > 0) {
            NDArray buf = slots[0];
            buf.muli(momentum).addi(d);
            d = nesterov ? d.add(buf.mul(momentum)) : buf;
        }
        param.subi(d.mul(lr));
    }
}

package io.axlearn.core.learner;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter, <a
 * href="https://arxiv.org/abs/1711.05101">arXiv:1711.05101</a>), with the semantics of {@code
 * torch.optim.AdamW}: before the Adam step, {@code p *= 1 - lr * weightDecay * scale_p}, so the
 * decay follows the learning-rate schedule but is not rescaled by the moments. The update itself is
 * {@link Adam}'s.
 *
 * <p>This is axlearn's {@code adamw_optimizer} (decay multiplied by the learning rate), not its
 * {@code adamw_decoupled_optimizer}, where the decay is multiplied only by a unit schedule.
 */
public final class AdamW {
    private AdamW() {}

    /** Config of AdamW; builds an {@link Adam} that decays the weights directly. */
    public static final class Config extends Adam.BaseConfig<Config> {
        @Override
        protected Optimizer create() {
            return new Adam(this, Adam.Decay.DECOUPLED);
        }
    }

    /** A new config with the defaults (no weight decay; set the learning rate and decay). */
    public static Config config() {
        return new Config();
    }
}

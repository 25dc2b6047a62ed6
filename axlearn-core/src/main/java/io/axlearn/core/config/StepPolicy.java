package io.axlearn.core.config;

/**
 * Decides whether something (a checkpoint, an evaluation, a summary) happens at a training step.
 * Steps count from 1, as in axlearn.
 */
@FunctionalInterface
public interface StepPolicy {

    /** Whether the action runs at {@code step} (1-based). */
    boolean test(long step);

    /** A policy that fires every {@code n} steps, on steps {@code n, 2n, ...}. */
    static EveryNSteps everyNSteps(long n) {
        return new EveryNSteps().n(n);
    }

    /**
     * Function config of a policy that fires on every {@code n}-th step, optionally only from
     * {@code minStep} on (axlearn's {@code every_n_steps_policy}).
     */
    final class EveryNSteps extends FunctionConfig<EveryNSteps, StepPolicy> {
        /** Interval in steps; must be positive. */
        @Required private Long n;

        /** First step at which the policy may fire; steps before it never do. */
        private long minStep = 1;

        /** Sets the interval in steps. */
        public EveryNSteps n(long v) {
            return set(() -> n = v);
        }

        /** Sets the first step at which the policy may fire. */
        public EveryNSteps minStep(long v) {
            return set(() -> minStep = v);
        }

        @Override
        protected void validate() {
            if (n <= 0) {
                throw invalid("n", "must be positive, got " + n);
            }
        }

        @Override
        protected StepPolicy create() {
            long every = n;
            long from = minStep;
            return step -> step >= from && step % every == 0;
        }
    }
}

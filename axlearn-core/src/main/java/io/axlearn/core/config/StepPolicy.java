package io.axlearn.core.config;

import com.fasterxml.jackson.annotation.JsonCreator;

/**
 * Decides whether something (a checkpoint, an evaluation, a summary) happens at a training step.
 * Steps count from 1, as in axlearn.
 *
 * <p>Wherever a config field holds a step policy, a whole number N stands for {@code
 * everyNSteps(N)}: {@code --set checkpointer.everyNSteps=100}, {@code everyNSteps: 100} in YAML or
 * JSON. It replaces the whole policy ({@code minStep} goes back to 1); set {@code
 * checkpointer.everyNSteps.n=100} to change only the interval.
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
        /**
         * Reads a bare JSON number N as "every N steps from step 1" ({@code "everyNSteps": 100}),
         * as {@code --set checkpointer.everyNSteps=100} does.
         */
        @JsonCreator
        static EveryNSteps ofSteps(long n) {
            return everyNSteps(n);
        }

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

package io.axlearn.trainer;

import io.axlearn.core.input.InputState;
import io.axlearn.core.learner.OptimizerState;
import io.axlearn.core.module.ParamTree;

/**
 * Everything a training run carries from one step to the next (axlearn's {@code TrainerState}):
 * what a checkpoint saves and a restore brings back.
 *
 * <p>The parameter and optimiser arrays are updated in place by {@link TrainStep#apply}; the record
 * returned by a step is new and carries the next step number and input position.
 *
 * @param step the last completed step (0 before training)
 * @param params the parameters, on the run's long-lived manager
 * @param optimizer the optimiser's state for those parameters
 * @param input where the training input stands after {@code step}
 */
public record TrainerState(
        long step, ParamTree params, OptimizerState optimizer, InputState input) {}

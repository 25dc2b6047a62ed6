/**
 * Learners, optimisers and schedules: what turns gradients into parameter updates (axlearn's {@code
 * learner.py}, {@code optimizers.py} and {@code schedule.py}).
 *
 * <ul>
 *   <li>{@link io.axlearn.core.learner.Schedule}: step (1-based) to value, built from function
 *       configs ({@code Constant}, {@code Polynomial}, {@code CosineDecay}, {@code
 *       CosineWithLinearWarmup}, {@code SegmentWise}).
 *   <li>{@link io.axlearn.core.learner.Optimizer}: {@link io.axlearn.core.learner.Sgd}, {@link
 *       io.axlearn.core.learner.Adam}, {@link io.axlearn.core.learner.AdamW} and {@link
 *       io.axlearn.core.learner.Lion}, written on NDArrays (not DJL's optimisers) and matched
 *       against {@code torch.optim} to 1e-6. Their state is an {@link
 *       io.axlearn.core.learner.OptimizerState} tree named {@code <slot>/<param path>}, so it
 *       checkpoints like the parameters.
 *   <li>{@link io.axlearn.core.learner.GlobalNormClipping} and the {@link
 *       io.axlearn.core.learner.Learner} that chains clipping and an optimiser for the trainer.
 *   <li>Per-parameter rules by path pattern: weight-decay and learning-rate scales on the
 *       optimiser, frozen parameters on the learner ({@link
 *       io.axlearn.core.learner.Learner#effectiveSpecs}).
 * </ul>
 *
 * <p>Memory: parameters and state are updated in place; every temporary lives on a sub-manager
 * opened and closed inside the call, so no array is left on the caller's managers.
 */
package io.axlearn.core.learner;

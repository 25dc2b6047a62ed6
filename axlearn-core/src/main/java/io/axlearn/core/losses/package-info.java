/**
 * Losses from model outputs and targets, shared by every model family (axlearn's {@code loss.py}):
 * {@link io.axlearn.core.losses.CrossEntropy} (softmax over classes or a vocabulary, with label
 * smoothing, per-target weights and z-loss) and {@link io.axlearn.core.losses.SigmoidCrossEntropy}
 * (independent binary decisions). Each is a small configurable object whose {@code forward} returns
 * a record with the loss, the total weight behind its mean and what metrics need; all values stay
 * on the device.
 */
package io.axlearn.core.losses;

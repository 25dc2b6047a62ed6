/**
 * The core layer catalog: linear maps, embeddings, absolute position embeddings (learned and
 * sinusoidal; {@link io.axlearn.core.layers.PositionEncoding} is the slot type of every position
 * encoding), dropout, stochastic depth, norms, convolutions, pooling and activations. Each layer
 * has a nested {@code Config}, declares its parameters as specs, and runs {@code forward} against
 * an explicit context.
 */
package io.axlearn.core.layers;

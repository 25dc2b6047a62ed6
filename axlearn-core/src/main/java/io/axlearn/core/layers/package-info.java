/**
 * The core layer catalog: linear maps, embeddings, dropout, norms, convolutions, pooling and
 * activations. Each layer has a nested {@code Config}, declares its parameters as specs, and runs
 * {@code forward} against an explicit context.
 */
package io.axlearn.core.layers;

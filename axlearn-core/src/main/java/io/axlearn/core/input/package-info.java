/**
 * Input pipelines: a random-access example source, processors, a seeded shuffle buffer, batching
 * into direct buffers and background prefetching; deterministic and resumable from a small state.
 */
package io.axlearn.core.input;

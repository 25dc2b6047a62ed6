/** Metrics: weighted scalars that combine exactly across batches and hosts. */
package io.axlearn.core.metrics;

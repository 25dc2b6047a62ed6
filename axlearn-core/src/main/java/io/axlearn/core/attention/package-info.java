/**
 * Attention and Transformer blocks: multi-head attention (grouped-query heads, causal, padding and
 * segment masks, rotary embeddings, logit cap), feed-forward (plain and gated), the Transformer
 * layer (pre- and post-norm), stacks, and KV caches for incremental decoding.
 *
 * <p>Shape legend: {@code B} batch, {@code T} query length, {@code S} key length, {@code N} query
 * heads, {@code K} key/value heads, {@code H} per-head dimension, {@code D} model dimension.
 */
package io.axlearn.core.attention;

/**
 * Serving a trained text generator over HTTP with OpenAI-style completions and chat endpoints
 * ({@code axlearn serve}), and evaluating any such endpoint on a held-out task ({@code axlearn
 * eval-api}). See docs/serving.md.
 */
package io.axlearn.trainer.serve;

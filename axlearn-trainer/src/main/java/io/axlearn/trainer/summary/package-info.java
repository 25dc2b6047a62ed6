/** Summaries: JSON-lines metrics and TensorBoard event files, written by hand (no TensorFlow). */
package io.axlearn.trainer.summary;

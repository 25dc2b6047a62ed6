/** Evaluation: evalers with their own inputs and step policies, weighted-mean metrics. */
package io.axlearn.trainer.eval;

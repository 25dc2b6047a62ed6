/** The trainer: restore-or-init, the step loop, evalers, summaries and checkpoints. */
package io.axlearn.trainer;

/** Checkpoints: atomic, checksummed saves of parameters, optimiser state and run metadata. */
package io.axlearn.trainer.checkpoint;

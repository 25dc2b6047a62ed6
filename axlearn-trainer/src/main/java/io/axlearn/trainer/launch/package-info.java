/** The {@code axlearn} command line and the registry of named experiments. */
package io.axlearn.trainer.launch;

/**
 * Training across processes and machines on MPI: the {@link
 * io.axlearn.trainer.distributed.Collective} operations (a single-process implementation and one on
 * the system MPI through a JNI shim compiled at first use), data-parallel gradient reduction for
 * the trainer, and the launch command lines. See docs/distributed.md.
 */
package io.axlearn.trainer.distributed;

package io.axlearn.trainer.checkpoint;

/**
 * A checkpoint cannot be written or read: missing, incomplete, corrupt (a checksum or size does not
 * match), or of a different structure than the model (a parameter path or shape differs). The
 * message names the checkpoint directory and the problem.
 */
public final class CheckpointException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception. */
    public CheckpointException(String message) {
        super(message);
    }

    /** Creates the exception with its cause. */
    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.axlearn.trainer.checkpoint;

/**
 * A checkpoint cannot be written or read: missing, incomplete, corrupt (a checksum or size does not
 * match), or of a different structure than the model (a parameter path or shape differs). The
 * message names the checkpoint directory and the problem.
 */
public final class CheckpointException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final boolean mismatch;

    /** Creates the exception. */
    public CheckpointException(String message) {
        this(message, false);
    }

    /**
     * Creates the exception.
     *
     * @param message what is wrong, naming the checkpoint
     * @param mismatch true when the checkpoint is intact but made for another model structure
     */
    public CheckpointException(String message, boolean mismatch) {
        super(message);
        this.mismatch = mismatch;
    }

    /**
     * Whether the checkpoint is intact but does not fit the model (an older one would not either).
     */
    public boolean isMismatch() {
        return mismatch;
    }

    /** Creates the exception with its cause. */
    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
        this.mismatch = false;
    }
}

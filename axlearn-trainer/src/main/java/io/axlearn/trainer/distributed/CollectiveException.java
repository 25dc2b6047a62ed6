package io.axlearn.trainer.distributed;

/** A collective operation failed, or MPI could not be set up; the message says which and why. */
public final class CollectiveException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed and why, in one line
     */
    public CollectiveException(String message) {
        super(message);
    }
}

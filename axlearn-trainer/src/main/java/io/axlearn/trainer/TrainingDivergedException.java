package io.axlearn.trainer;

/** The loss became NaN or infinite; the run stopped before applying that step's update. */
public final class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with its one-line message. */
    public TrainingDivergedException(String message) {
        super(message);
    }
}

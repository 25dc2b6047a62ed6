package io.axlearn.trainer;

/**
 * The loss or the gradient norm became NaN or infinite; the run stopped before applying that step's
 * update.
 */
public final class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long step;

    /**
     * @param message the one-line message
     * @param step the step whose update was not applied
     */
    public TrainingDivergedException(String message, long step) {
        super(message);
        this.step = step;
    }

    /** The step whose update was not applied. */
    public long step() {
        return step;
    }
}

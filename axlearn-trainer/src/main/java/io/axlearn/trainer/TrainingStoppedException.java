package io.axlearn.trainer;

/**
 * A run stopped early on request ({@link Trainer#requestStop}, e.g. on SIGTERM) after saving a
 * checkpoint of its last completed step.
 */
public final class TrainingStoppedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String reason;
    private final long step;

    /**
     * @param message the one-line message
     * @param reason what asked the run to stop ({@code SIGTERM})
     * @param step the last completed and saved step
     */
    public TrainingStoppedException(String message, String reason, long step) {
        super(message);
        this.reason = reason;
        this.step = step;
    }

    /** What asked the run to stop. */
    public String reason() {
        return reason;
    }

    /** The last completed and saved step. */
    public long step() {
        return step;
    }
}

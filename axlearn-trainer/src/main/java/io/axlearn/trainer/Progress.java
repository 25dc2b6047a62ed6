package io.axlearn.trainer;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * The training progress display: step, loss, throughput and ETA, redrawn in place on a terminal and
 * printed as plain lines (every {@code everyNSteps}) otherwise.
 */
final class Progress {
    private final PrintWriter out;
    private final boolean terminal;
    private final long maxStep;
    private final long startStep;
    private final long startNanos = System.nanoTime();
    private final long everyNSteps;

    Progress(PrintWriter out, boolean terminal, long startStep, long maxStep, long everyNSteps) {
        this.out = out;
        this.terminal = terminal;
        this.startStep = startStep;
        this.maxStep = maxStep;
        this.everyNSteps = everyNSteps;
    }

    /** Formats one progress line (exposed for tests). */
    static String format(
            long step, long maxStep, double loss, double stepsPerSecond, double examplesPerSecond) {
        long remaining = maxStep - step;
        long eta = stepsPerSecond > 0 ? Math.round(remaining / stepsPerSecond) : -1;
        String etaText =
                eta < 0
                        ? "?"
                        : String.format(
                                Locale.ROOT, "%d:%02d:%02d", eta / 3600, eta / 60 % 60, eta % 60);
        return String.format(
                Locale.ROOT,
                "step %d/%d (%.0f%%) loss %.4f | %.2f steps/s, %.0f examples/s | ETA %s",
                step,
                maxStep,
                100.0 * step / maxStep,
                loss,
                stepsPerSecond,
                examplesPerSecond,
                etaText);
    }

    void update(long step, double loss, long batchSize) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        double rate = seconds > 0 ? (step - startStep) / seconds : 0;
        String line = format(step, maxStep, loss, rate, rate * batchSize);
        if (terminal) {
            out.print("\r" + line + "   ");
            if (step == maxStep) {
                out.println();
            }
            out.flush();
        } else if (step % everyNSteps == 0 || step == maxStep) {
            out.println(line);
            out.flush();
        }
    }

    void message(String text) {
        if (terminal) {
            out.print("\r");
        }
        out.println(text);
        out.flush();
    }
}

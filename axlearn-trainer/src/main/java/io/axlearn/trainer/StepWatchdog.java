package io.axlearn.trainer;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Watches the training steps from a daemon thread: a step (reading its batch and the train step)
 * that has run longer than {@code factor} times the median of the recent steps, and at least {@code
 * minSeconds}, gets one warning with a dump of every thread, while it is still running, so a stuck
 * step (a dead data source, a deadlock, a blocked file system) shows where it is stuck. Also sums
 * the time spent in steps, for goodput.
 */
final class StepWatchdog implements AutoCloseable {
    /** Steps whose durations make the median. */
    private static final int WINDOW = 101;

    /** Steps timed before the watchdog warns: the first steps include warm-up. */
    private static final int MIN_TIMED = 5;

    private final double factor;
    private final double minSeconds;
    private final Consumer<String> warn;
    private final long[] recent = new long[WINDOW];
    private final Thread thread;
    private int timed;
    private long stepNanos;
    private volatile long runningStep = -1;
    private volatile long startedAt;
    private volatile long thresholdNanos = Long.MAX_VALUE;
    private volatile long warnedStep = -1;
    private volatile boolean closed;

    /**
     * Starts the watchdog thread.
     *
     * @param factor how many median step times make a step slow; {@code <= 0} disables warnings
     * @param minSeconds the least time that makes a step slow
     * @param warn receives each warning (several lines)
     */
    StepWatchdog(double factor, double minSeconds, Consumer<String> warn) {
        this.factor = factor;
        this.minSeconds = minSeconds;
        this.warn = warn;
        thread = new Thread(this::watch, "axlearn-step-watchdog");
        thread.setDaemon(true);
        if (factor > 0) {
            thread.start();
        }
    }

    /** Marks the start of {@code step}. */
    void started(long step) {
        startedAt = System.nanoTime();
        runningStep = step;
    }

    /** Marks the end of the step in progress and records its duration. */
    void finished() {
        long nanos = System.nanoTime() - startedAt;
        runningStep = -1;
        stepNanos += nanos;
        recent[timed % WINDOW] = nanos;
        timed++;
        if (timed >= MIN_TIMED) {
            long[] sorted = Arrays.copyOf(recent, Math.min(timed, WINDOW));
            Arrays.sort(sorted);
            long median = sorted[sorted.length / 2];
            thresholdNanos = Math.max((long) (minSeconds * 1e9), (long) (factor * median));
        }
    }

    /** Seconds spent in steps so far. */
    double stepSeconds() {
        return stepNanos / 1e9;
    }

    private void watch() {
        long sleepMillis = Math.max(10, Math.min(1000, (long) (minSeconds * 250)));
        while (!closed) {
            try {
                Thread.sleep(sleepMillis);
            } catch (InterruptedException e) {
                return;
            }
            long step = runningStep;
            long elapsed = System.nanoTime() - startedAt;
            if (step >= 0 && step != warnedStep && elapsed > thresholdNanos) {
                warnedStep = step;
                warn.accept(
                        String.format(
                                        Locale.ROOT,
                                        "warning: step %d has run %.1f s, more than %.3g times the"
                                                + " median step (threshold %.1f s); threads:",
                                        step,
                                        elapsed / 1e9,
                                        factor,
                                        thresholdNanos / 1e9)
                                + "\n"
                                + threadDump());
            }
        }
    }

    /** Every live thread's state and stack, as {@code jstack} shows them. */
    static String threadDump() {
        StringBuilder out = new StringBuilder();
        for (ThreadInfo info :
                ManagementFactory.getThreadMXBean()
                        .dumpAllThreads(false, false, Integer.MAX_VALUE)) {
            out.append('"')
                    .append(info.getThreadName())
                    .append("\" ")
                    .append(info.getThreadState())
                    .append('\n');
            for (StackTraceElement frame : info.getStackTrace()) {
                out.append("    at ").append(frame).append('\n');
            }
        }
        return out.toString();
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}

package io.axlearn.trainer.launch;

import io.axlearn.trainer.Trainer;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Turns SIGTERM, SIGINT and SIGHUP into a graceful stop of a training run: the first finishes the
 * step in progress, saves a checkpoint and exits with {@code 128 + signal number}; a second aborts
 * at once with the same status. Installed by {@code axlearn train} only: a library user's own JVM
 * keeps its handlers and can call {@link Trainer#requestStop} itself.
 */
final class StopOnSignals implements AutoCloseable {
    private static final List<String> SIGNALS = List.of("TERM", "INT", "HUP");

    private final List<Signal> signals = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();
    private volatile String received;
    private volatile int receivedNumber;

    private StopOnSignals(Trainer trainer, PrintWriter err) {
        for (String name : SIGNALS) {
            Signal signal = new Signal(name);
            try {
                previous.add(
                        Signal.handle(
                                signal,
                                s -> {
                                    if (received != null) {
                                        err.println(
                                                "error: second SIG"
                                                        + s.getName()
                                                        + ": aborting without saving");
                                        err.flush();
                                        Runtime.getRuntime().halt(128 + s.getNumber());
                                    }
                                    received = "SIG" + s.getName();
                                    receivedNumber = s.getNumber();
                                    err.println(
                                            "received "
                                                    + received
                                                    + ": finishing the current step and saving"
                                                    + " (send it again to abort at once)");
                                    err.flush();
                                    trainer.requestStop(received);
                                }));
                signals.add(signal);
            } catch (IllegalArgumentException e) {
                // The signal is reserved here (e.g. the JVM was started with -Xrs): leave it.
            }
        }
    }

    /** Installs the handlers for {@code trainer}; closing restores the previous ones. */
    static StopOnSignals install(Trainer trainer, PrintWriter err) {
        return new StopOnSignals(trainer, err);
    }

    /** The exit status for the signal received: {@code 128 + its number}. */
    int exitStatus() {
        return 128 + receivedNumber;
    }

    @Override
    public void close() {
        for (int i = 0; i < signals.size(); i++) {
            Signal.handle(signals.get(i), previous.get(i));
        }
    }
}

package io.axlearn.examples.text;

import io.axlearn.trainer.launch.Main;

/**
 * Runs the command line ({@link Main}) while a background thread allocates garbage without pause,
 * so that with a small young generation ({@code -Xmn4m}) the collector runs many times inside every
 * training step: anything the engine reads after its Java owner became unreachable is freed under
 * it sooner or later in such a run.
 */
final class GcPressure {
    private GcPressure() {}

    /** Kept in a field so that the allocations are not optimised away. */
    private static volatile byte[] sink;

    public static void main(String[] args) {
        Thread allocator =
                new Thread(
                        () -> {
                            try {
                                while (true) {
                                    sink = new byte[256 * 1024];
                                    Thread.sleep(1);
                                }
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "gc-pressure");
        allocator.setDaemon(true);
        allocator.start();
        Main.main(args);
    }
}

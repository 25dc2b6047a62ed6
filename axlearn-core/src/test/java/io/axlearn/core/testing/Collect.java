package io.axlearn.core.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.axlearn.core.ndarray.Engines;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.function.UnaryOperator;

/**
 * Forces the garbage collections that free unreachable direct buffers, for tests of memory that
 * Java owns and the engine reads (see {@link io.axlearn.core.ndarray.OwnedArrays}).
 */
public final class Collect {
    private Collect() {}

    /**
     * Collects garbage until the number of live direct buffers stops falling: when this returns,
     * the native memory of every direct buffer that was unreachable on entry has been freed (the
     * collector finds the buffers, the reference handler thread frees their memory).
     *
     * @return how many direct buffers were freed
     */
    public static long unreachableDirectBuffers() {
        BufferPoolMXBean direct =
                ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                        .filter(b -> b.getName().equals("direct"))
                        .findFirst()
                        .orElseThrow();
        long start = direct.getCount();
        long previous = start;
        int steady = 0;
        for (int round = 0; round < 100 && steady < 3; round++) {
            System.gc();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while collecting", e);
            }
            long now = direct.getCount();
            steady = now == previous ? steady + 1 : 0;
            previous = now;
        }
        return start - previous;
    }

    /**
     * Checks that the gradient of {@code sum(f(x)^2)} with respect to {@code x} is bit-identical
     * whether or not garbage is collected between the forward and the backward pass: {@code f} must
     * not leave the autograd graph reading memory that only Java keeps alive.
     *
     * @param input the point {@code x} (copied; not changed)
     * @param f the computation under test, run under a gradient collector
     */
    public static void assertBackwardUnaffected(NDArray input, UnaryOperator<NDArray> f) {
        float[] plain = gradient(input, f, false);
        float[] collected = gradient(input, f, true);
        assertArrayEquals(
                plain,
                collected,
                "the gradient changed when garbage was collected between forward and backward");
    }

    private static float[] gradient(NDArray input, UnaryOperator<NDArray> f, boolean collect) {
        try (NDManager m = input.getManager().newSubManager()) {
            NDArray x = input.duplicate();
            x.attach(m);
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engines.pytorch().newGradientCollector()) {
                NDArray loss = f.apply(x).square().sum();
                if (collect) {
                    unreachableDirectBuffers();
                }
                gc.backward(loss);
            }
            return x.getGradient().toFloatArray();
        }
    }
}

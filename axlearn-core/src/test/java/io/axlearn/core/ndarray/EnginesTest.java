package io.axlearn.core.ndarray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class EnginesTest {

    /**
     * Fits {@code y = 3x + 2} by gradient descent for {@code steps} steps, each in its own
     * sub-manager, and returns the last loss.
     */
    static float fitLine(NDManager manager, int steps) {
        NDArray w = manager.zeros(new Shape(1));
        NDArray b = manager.zeros(new Shape(1));
        w.setRequiresGradient(true);
        b.setRequiresGradient(true);
        float loss = Float.NaN;
        for (int step = 0; step < steps; step++) {
            try (NDManager stepManager = manager.newSubManager()) {
                NDArray x = stepManager.arange(-1f, 1f, 0.1f);
                NDArray y = x.mul(3f).add(2f);
                try (GradientCollector gc =
                        Engine.getEngine(Engines.PYTORCH).newGradientCollector()) {
                    NDArray pred = x.mul(w).add(b);
                    NDArray l = pred.sub(y).square().mean();
                    gc.backward(l);
                    loss = l.getFloat();
                }
                try (NDArray gw = w.getGradient();
                        NDArray gb = b.getGradient()) {
                    w.subi(gw.mul(0.5f));
                    b.subi(gb.mul(0.5f));
                    // DJL's collector accumulates into .grad across collectors: clear it.
                    gw.muli(0f);
                    gb.muli(0f);
                }
            }
        }
        return loss;
    }

    @Test
    void pytorch_loadsFromProjectLocalCacheAndTrains() throws IOException {
        Engine engine = Engines.pytorch();
        assertEquals("PyTorch", engine.getEngineName());
        assertEquals("2.7.1", engine.getVersion());
        Path cache = Engines.cacheDir();
        assertTrue(
                cache.endsWith(".djl"),
                "the native cache must be project-local (.djl), was " + cache);
        try (Stream<Path> files = Files.walk(cache.resolve("pytorch"))) {
            assertTrue(
                    files.anyMatch(p -> p.getFileName().toString().equals("libtorch_cpu.so")),
                    "libtorch_cpu.so extracted under " + cache);
        }
        try (NDManager manager = engine.newBaseManager()) {
            float first = fitLine(manager, 1);
            float last = fitLine(manager, 40);
            assertTrue(first > 1f, "initial loss " + first);
            assertTrue(last < 1e-3f, "loss after 40 steps " + last);
        }
    }

    /**
     * Loads the engine and trains in a fresh JVM whose environment does not ask for offline mode
     * (axlearn must turn it on itself), inside a network namespace with no network when {@code
     * unshare} is available, and checks that no connection was even attempted.
     */
    @Test
    void pytorch_inFreshJvm_attemptsNoConnection() throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath =
                System.getProperty(
                        "surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>();
        boolean isolated = canUnshareNetwork();
        if (isolated) {
            command.addAll(List.of("unshare", "--net"));
        }
        command.addAll(List.of(javaBin, "-cp", classPath, NoNetworkProbe.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.remove("DJL_OFFLINE");
        env.remove("OPT_OUT_TRACKING");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "probe did not finish:\n" + out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("engine=PyTorch 2.7.1"), out);
        assertTrue(out.contains("attempts=[]"), "connections were attempted:\n" + out);
        assertTrue(out.contains("guardSeesAttempts=true"), "the recorder must work:\n" + out);
        float loss = Float.parseFloat(out.replaceAll("(?s).*finalLoss=([^\\s]+).*", "$1"));
        assertTrue(loss < 1e-2f, "training in the probe did not converge: " + loss);
        System.out.println(
                "no-network probe ran "
                        + (isolated ? "in an empty network namespace" : "with the host network"));
    }

    private static boolean canUnshareNetwork() {
        try {
            Process p = new ProcessBuilder("unshare", "--net", "true").start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}

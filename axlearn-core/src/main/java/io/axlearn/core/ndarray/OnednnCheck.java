package io.axlearn.core.ndarray;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.axlearn.core.io.NativeBuild;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A self-check of oneDNN's float32 convolutions on this CPU, uncapped: forward, input gradient and
 * weight gradient of a set of small convolutions against the same engine's float64 results (which
 * do not run in oneDNN). It decides whether {@link RuntimeSettings} caps oneDNN at AVX on an AMD
 * CPU.
 *
 * <p>Why: on the AMD EPYC machines this project first ran on, the AVX2 and AVX-512 backward-data
 * kernels of the oneDNN in DJL's libtorch 2.7.1 returned wrong, sometimes NaN, input gradients for
 * few channels (1 to 8) and batch 2 or more (docs/layers.md), while on a later AMD EPYC (family 26,
 * Zen 5) every case is exact uncapped and the cap only makes convolutions about 2x slower
 * (docs/performance.md). The cases here include every shape that failed there.
 *
 * <p>oneDNN reads {@code ONEDNN_MAX_CPU_ISA} once, at its first primitive, so the check cannot run
 * in the process it decides for: {@link #verdict} runs {@link #main} in a child JVM (about 2 s,
 * once per CPU model, microcode, thread count and libtorch version) and caches the answer in {@code
 * onednn-check-<key>.txt} beside the MKL override ({@code AXLEARN_NATIVE_DIR}, else {@code
 * ~/.cache/axlearn/native}). If the child cannot run, the verdict is "wrong": the cap stays.
 */
public final class OnednnCheck {
    /** Largest error allowed, relative to the largest magnitude of the float64 result. */
    static final double TOLERANCE = 1e-4;

    /** How long the child JVM may take. */
    static final long TIMEOUT_SECONDS = 120;

    private static final Logger LOG = LoggerFactory.getLogger(OnednnCheck.class);

    /** The {@code /proc/cpuinfo} fields the verdict depends on. */
    private static final List<String> CPU_FIELDS =
            List.of(
                    "vendor_id",
                    "cpu family",
                    "model",
                    "model name",
                    "stepping",
                    "microcode",
                    "flags");

    private OnednnCheck() {}

    /**
     * The check's answer.
     *
     * @param correct whether every case matched float64 within {@link #TOLERANCE}
     * @param detail one sentence: the worst case and its error, or why the check did not run
     * @param cache the cache file it was read from or written to; null if none
     */
    public record Verdict(boolean correct, String detail, Path cache) {}

    /**
     * Runs the cases in this process (with whatever ISA cap it has) and prints one line; exits 0
     * when every case is correct, 3 when one is not.
     */
    public static void main(String[] args) {
        try (NDManager manager = Engines.pytorch().newBaseManager()) {
            Verdict v = run(manager);
            System.out.println((v.correct() ? "correct: " : "wrong: ") + v.detail());
            System.exit(v.correct() ? 0 : 3);
        }
    }

    /**
     * The convolutions checked: {@code {batch, channels in, channels out, size, kernel, stride}}.
     */
    static List<int[]> cases() {
        List<int[]> cases = new ArrayList<>();
        for (int c : new int[] {1, 2, 3, 4, 8, 16, 32, 64}) {
            for (int n : new int[] {1, 2, 8}) {
                cases.add(new int[] {n, c, c, 7, 3, 1}); // the shapes that failed (docs/layers.md)
            }
            cases.add(new int[] {4, c, 2 * c, 16, 3, 2});
            cases.add(new int[] {4, c, 2 * c, 16, 1, 2});
        }
        return cases;
    }

    /** Runs every case in this process; the worst error is in the detail. */
    static Verdict run(NDManager manager) {
        return judge(
                c -> {
                    try (NDManager m = manager.newSubManager()) {
                        return relativeError(m, c);
                    }
                });
    }

    /** The verdict on the {@link #cases} given each one's relative error (NaN counts as wrong). */
    static Verdict judge(ToDoubleFunction<int[]> errorOf) {
        double worst = 0;
        String worstCase = "";
        int wrong = 0;
        List<int[]> cases = cases();
        for (int[] c : cases) {
            double error = errorOf.applyAsDouble(c);
            if (!(error <= TOLERANCE)) {
                wrong++;
            }
            if (worse(error, worst)) {
                worst = error;
                worstCase =
                        String.format(
                                Locale.ROOT,
                                "batch %d, %d -> %d channels, %dx%d, kernel %d, stride %d",
                                c[0],
                                c[1],
                                c[2],
                                c[3],
                                c[3],
                                c[4],
                                c[5]);
            }
        }
        String detail =
                String.format(
                        Locale.ROOT,
                        "%d of %d float32 convolutions differ from float64 by more than %.0e"
                                + " (largest relative error %.2g: %s; ONEDNN_MAX_CPU_ISA=%s)",
                        wrong,
                        cases.size(),
                        TOLERANCE,
                        worst,
                        worstCase,
                        System.getenv().getOrDefault(RuntimeSettings.ONEDNN_ISA_ENV, "unset"));
        return new Verdict(wrong == 0, detail, null);
    }

    /**
     * The largest error of output, input gradient and weight gradient of one case, each relative to
     * the largest magnitude of its float64 twin; NaN if float32 produced one.
     */
    static double relativeError(NDManager m, int[] c) {
        Shape xShape = new Shape(c[0], c[1], c[3], c[3]);
        Shape wShape = new Shape(c[2], c[1], c[4], c[4]);
        // Deterministic, non-repeating values: no random generator involved.
        NDArray x = m.arange(0f, (float) xShape.size(), 1f).muli(0.37f).sin().reshape(xShape);
        NDArray w = m.arange(0f, (float) wShape.size(), 1f).muli(0.11f).cos().reshape(wShape);
        NDArray[] single = convolve(x, w, c);
        NDArray[] dbl =
                convolve(x.toType(DataType.FLOAT64, true), w.toType(DataType.FLOAT64, true), c);
        double worst = 0;
        for (int i = 0; i < single.length; i++) {
            double scale = dbl[i].abs().max().getDouble();
            double diff =
                    single[i].toType(DataType.FLOAT64, false).sub(dbl[i]).abs().max().getDouble();
            double error = diff / Math.max(scale, 1e-30);
            if (worse(error, worst)) {
                worst = error;
            }
        }
        return worst;
    }

    /** Whether {@code error} is worse than {@code worst}: larger, or NaN (which stays worst). */
    private static boolean worse(double error, double worst) {
        return Double.isNaN(error) ? !Double.isNaN(worst) : !Double.isNaN(worst) && error > worst;
    }

    /** Output, input gradient and weight gradient of {@code sum(conv(x, w) * sin(index))}. */
    private static NDArray[] convolve(NDArray x, NDArray w, int[] c) {
        NDArray xs = x.duplicate();
        NDArray ws = w.duplicate();
        xs.setRequiresGradient(true);
        ws.setRequiresGradient(true);
        try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
            int pad = c[4] / 2;
            NDArray y =
                    xs.getNDArrayInternal()
                            .convolution(
                                    xs,
                                    ws,
                                    null,
                                    new Shape(c[5], c[5]),
                                    new Shape(pad, pad),
                                    new Shape(1, 1),
                                    1)
                            .singletonOrThrow();
            NDManager m = y.getManager();
            NDArray upstream =
                    m.arange(0f, (float) y.size(), 1f)
                            .sin()
                            .reshape(y.getShape())
                            .toType(y.getDataType(), false);
            collector.backward(y.mul(upstream).sum());
            return new NDArray[] {
                y.stopGradient(), xs.getGradient().duplicate(), ws.getGradient().duplicate()
            };
        }
    }

    /**
     * The cached verdict for this CPU and libtorch, or a new one from {@link #main} in a child JVM
     * without an ISA cap, cached in {@code dir}.
     */
    static Verdict verdict(Path dir) {
        String key = key();
        Path cache = cacheFile(dir, key);
        try {
            if (Files.isRegularFile(cache)) {
                List<String> lines = Files.readAllLines(cache);
                if (lines.size() >= 2 && lines.get(0).matches("correct|wrong")) {
                    return new Verdict(lines.get(0).equals("correct"), lines.get(1), cache);
                }
            }
        } catch (IOException e) {
            // Unreadable cache: run the check again.
        }
        LOG.info(
                "running oneDNN's convolution self-check in a child JVM, once for this CPU and"
                        + " libtorch (cached in {})",
                cache);
        Verdict v = runChild();
        if (v.detail().startsWith("could not run")) {
            return v; // not cached: try again next start
        }
        try {
            Files.createDirectories(dir);
            String record =
                    (v.correct() ? "correct" : "wrong") + "\n" + v.detail() + "\n" + key + "\n";
            NativeBuild.writeAtomically(cache, record.getBytes(StandardCharsets.UTF_8));
            return new Verdict(v.correct(), v.detail(), cache);
        } catch (IOException e) {
            return v;
        }
    }

    /** The cache file of this CPU and libtorch's verdict in {@code dir}. */
    static Path cacheFile(Path dir) {
        return cacheFile(dir, key());
    }

    private static Path cacheFile(Path dir, String key) {
        return dir.resolve("onednn-check-" + digest(key) + ".txt");
    }

    /** Runs {@link #main} in a child JVM with no ISA cap and the settings off. */
    private static Verdict runChild() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command =
                List.of(
                        java,
                        "-Xmx256m",
                        "-XX:+UseSerialGC",
                        "-D" + RuntimeSettings.SWITCH_PROPERTY + "=false",
                        "-cp",
                        System.getProperty("java.class.path"),
                        OnednnCheck.class.getName());
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().remove(RuntimeSettings.ONEDNN_ISA_ENV);
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Verdict(false, "could not run: timed out", null);
            }
            String text = new String(out, StandardCharsets.UTF_8);
            String line =
                    text.lines()
                            .filter(l -> l.startsWith("correct: ") || l.startsWith("wrong: "))
                            .reduce((a, b) -> b)
                            .orElse(null);
            if (line == null || (p.exitValue() != 0 && p.exitValue() != 3)) {
                String last = text.lines().reduce((a, b) -> b).orElse("no output");
                return new Verdict(
                        false,
                        "could not run: the child JVM exited with " + p.exitValue() + ": " + last,
                        null);
            }
            boolean correct = line.startsWith("correct: ") && p.exitValue() == 0;
            return new Verdict(correct, line.substring(line.indexOf(": ") + 2), null);
        } catch (IOException e) {
            return new Verdict(false, "could not run: " + e.getMessage(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Verdict(false, "could not run: interrupted", null);
        }
    }

    /**
     * What the verdict depends on: the CPU (model, stepping, microcode, flags), the threads oneDNN
     * gets, and the libtorch (DJL's version, or a system libtorch named by the environment).
     */
    static String key() {
        StringBuilder key = new StringBuilder();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.isBlank()) {
                    break; // the first processor is enough: the VM's CPUs are one model
                }
                String name = line.substring(0, Math.max(line.indexOf(':'), 0)).trim();
                if (CPU_FIELDS.contains(name)) {
                    key.append(line.trim()).append('\n');
                }
            }
        } catch (IOException e) {
            key.append("cpu unknown\n");
        }
        key.append("processors: ").append(Runtime.getRuntime().availableProcessors()).append('\n');
        key.append("threads: ")
                .append(System.getProperty("ai.djl.pytorch.num_threads", "default"))
                .append('\n');
        key.append("libtorch: ").append(libtorchVersion());
        for (String env : List.of("PYTORCH_LIBRARY_PATH", "PYTORCH_VERSION", "PYTORCH_FLAVOR")) {
            String v = System.getenv(env);
            if (v != null) {
                key.append(' ').append(env).append('=').append(v);
            }
        }
        return key.toString();
    }

    /** DJL's libtorch version from the engine jar's properties, without loading it. */
    private static String libtorchVersion() {
        try (InputStream in =
                Engine.class.getClassLoader().getResourceAsStream("pytorch-engine.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("pytorch_version", "unknown")
                    + " (djl "
                    + p.getProperty("djl_version", "unknown")
                    + ")";
        } catch (IOException e) {
            return "unknown";
        }
    }

    static String digest(String text) {
        return NativeBuild.sha256Hex(16, text.getBytes(StandardCharsets.UTF_8));
    }
}

package io.axlearn.core.ndarray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.axlearn.core.io.DebianPackages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RuntimeSettings} in a child JVM started like a user's own {@code java} process: no
 * launcher environment ({@code GLIBC_TUNABLES}, {@code LD_PRELOAD}, {@code ONEDNN_MAX_CPU_ISA}
 * removed), reading back each setting's effect from inside the process ({@link
 * RuntimeSettingsProbe}): page faults of a re-allocated buffer, and the code paths MKL and oneDNN
 * report with their verbose switches.
 */
class RuntimeSettingsTest {
    @TempDir Path work;

    @Test
    void plainJvm_appliesEachSettingOnce_andTheEffectsShow() throws Exception {
        Path nativeDir = work.resolve("native");
        String out =
                probe(
                        Map.of(
                                "ONEDNN_VERBOSE",
                                "1",
                                "MKL_VERBOSE",
                                "1",
                                "AXLEARN_NATIVE_DIR",
                                nativeDir.toString()),
                        "-D" + RuntimeSettings.ONEDNN_ISA_PROPERTY + "=AVX",
                        "-D" + MklFastpath.MODE_PROPERTY + "=on");
        assertEquals(
                1, count(out, "runtime setting malloc thresholds: mallopt mmap_threshold="), out);
        assertEquals(1, count(out, "runtime setting malloc arenas: mallopt top_pad="), out);
        assertEquals(
                1,
                count(out, "runtime setting oneDNN ISA cap: setenv ONEDNN_MAX_CPU_ISA=AVX"),
                out);
        assertEquals(1, count(out, "runtime setting MKL vendor check: loaded "), out);
        assertTrue(out.contains("outcome malloc thresholds=APPLIED"), out);
        // Freed memory stays with malloc: re-touching 40 MB (10,240 pages) faults almost nothing.
        assertTrue(faultsPerRound(out) < 1_000, out);
        // oneDNN read the cap that the JVM set in its own C environment before libtorch loaded.
        assertTrue(Pattern.compile("(?m)isa:Intel AVX$").matcher(out).find(), out);
        // The override was built from the jar's source and loaded; MKL left the generic path.
        try (var files = Files.list(nativeDir)) {
            assertTrue(
                    files.anyMatch(
                            p ->
                                    p.getFileName()
                                            .toString()
                                            .matches("libaxlearn_mkl_fastpath-\\w+\\.so")),
                    "no override built in " + nativeDir);
        }
        assertTrue(out.contains("MKL_VERBOSE oneMKL"), out);
        assertFalse(out.contains("(Intel(R) SSE2) enabled processors"), out);
    }

    @Test
    void switchedOff_appliesNothing_andFreedBuffersAreFaultedInAgain() throws Exception {
        String out = probe(Map.of(), "-D" + RuntimeSettings.SWITCH_PROPERTY + "=false");
        assertEquals(0, count(out, "runtime setting"), out);
        assertTrue(out.contains("outcome all=OFF"), out);
        // The control for the first test: without the settings glibc maps and unmaps the buffer.
        assertTrue(faultsPerRound(out) > 5_000, out);
    }

    @Test
    void launcherEnvironment_leavesItsSettingsAlone() throws Exception {
        String out =
                probe(
                        Map.of(
                                "GLIBC_TUNABLES",
                                RuntimeSettings.LAUNCHER_TUNABLES,
                                "ONEDNN_MAX_CPU_ISA",
                                "AVX2"),
                        "-D" + MklFastpath.MODE_PROPERTY + "=off");
        assertTrue(out.contains("outcome malloc thresholds=ALREADY_SET"), out);
        assertTrue(out.contains("outcome malloc arenas=ALREADY_SET"), out);
        assertTrue(out.contains("outcome oneDNN ISA cap=ALREADY_SET"), out);
        assertEquals(
                0, count(out, "runtime setting"), "nothing to say under the launcher:\n" + out);
    }

    /**
     * {@code check} (the default on AMD CPUs) runs {@link OnednnCheck} once in a child JVM without
     * a cap, caches the verdict and follows it: on a CPU whose convolutions pass, oneDNN runs
     * uncapped; a cached "wrong" verdict caps it at AVX without running the check again.
     */
    @Test
    void onednnCheck_runsOnceInAChildJvm_cachesTheVerdict_andFollowsIt() throws Exception {
        Path nativeDir = work.resolve("native");
        Map<String, String> env =
                Map.of("ONEDNN_VERBOSE", "1", "AXLEARN_NATIVE_DIR", nativeDir.toString());
        String check = "-D" + RuntimeSettings.ONEDNN_ISA_PROPERTY + "=" + RuntimeSettings.CHECK;
        String off = "-D" + MklFastpath.MODE_PROPERTY + "=off";
        String first = probe(env, check, off);
        assertEquals(1, count(first, "running oneDNN's convolution self-check"), first);
        Path cache = OnednnCheck.cacheFile(nativeDir);
        List<String> verdict = Files.readAllLines(cache);
        boolean correct = verdict.get(0).equals("correct");
        assertTrue(verdict.get(1).matches("\\d+ of \\d+ float32 convolutions .*"), verdict.get(1));
        assertTrue(
                first.contains("outcome oneDNN ISA cap=" + (correct ? "NOT_NEEDED" : "APPLIED")),
                first);
        assertEquals(!correct, Pattern.compile("(?m)isa:Intel AVX$").matcher(first).find(), first);

        Files.writeString(cache, "wrong\n1 of 40 float32 convolutions differ (test)\n");
        String capped = probe(env, check, off);
        assertEquals(0, count(capped, "running oneDNN's convolution self-check"), capped);
        assertEquals(
                1,
                count(
                        capped,
                        "runtime setting oneDNN ISA cap: setenv ONEDNN_MAX_CPU_ISA=AVX before"
                                + " libtorch loaded (oneDNN's convolutions failed the self-check"),
                capped);
        assertTrue(Pattern.compile("(?m)isa:Intel AVX$").matcher(capped).find(), capped);
    }

    /**
     * The global-visibility load really interposes MKL's vendor check: MKL calls the override's
     * symbol, not its own, whether it answers "Intel" or "not Intel". On an Intel CPU the answer
     * also shows in MKL's banner ("not Intel" is the SSE2 path); on AMD the banner names no path
     * whatever the answer, so there only the calls are checked (bench's matmul peak shows the
     * speed: docs/performance.md).
     */
    @Test
    void overrideLoadedBeforeLibtorch_decidesMklsCodePath() throws Exception {
        assumeTrue(
                DebianPackages.onPath("cc"), "needs a C compiler (cc) to build the test override");
        String notIntel = probeWithOverride("not_intel", 0);
        String intel = probeWithOverride("intel", 1);
        assertTrue(vendorCheckCalls(notIntel) > 0, notIntel);
        assertTrue(vendorCheckCalls(intel) > 0, intel);
        if (Files.readString(Path.of("/proc/cpuinfo")).contains("GenuineIntel")) {
            assertTrue(notIntel.contains("(Intel(R) SSE2) enabled processors"), notIntel);
            assertFalse(intel.contains("(Intel(R) SSE2) enabled processors"), intel);
        }
    }

    /**
     * A probe JVM's output with a shared library loaded whose MKL vendor check returns {@code
     * answer} and counts its calls.
     */
    private String probeWithOverride(String name, int answer) throws Exception {
        Path source = work.resolve(name + ".c");
        Files.writeString(
                source,
                "static int calls;\n"
                        + "int "
                        + MklFastpath.SYMBOL
                        + "(void) { calls++; return "
                        + answer
                        + "; }\n"
                        + "int axlearn_test_vendor_calls(void) { return calls; }\n");
        Path library = work.resolve("lib" + name + ".so");
        Process cc =
                new ProcessBuilder(
                                "cc",
                                "-shared",
                                "-fPIC",
                                "-o",
                                library.toString(),
                                source.toString())
                        .inheritIO()
                        .start();
        assertEquals(0, cc.waitFor());
        String out =
                probe(
                        Map.of("MKL_VERBOSE", "1"),
                        "-D" + MklFastpath.MODE_PROPERTY + "=on",
                        "-D" + MklFastpath.LIBRARY_PROPERTY + "=" + library);
        assertTrue(out.contains("outcome MKL vendor check=APPLIED"), out);
        return out;
    }

    private static int vendorCheckCalls(String out) {
        return out.lines()
                .filter(l -> l.startsWith("vendorCheckCalls="))
                .mapToInt(l -> Integer.parseInt(l.substring("vendorCheckCalls=".length())))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the probe printed no call count:\n" + out));
    }

    /**
     * Runs the probe in a child JVM with the launcher's environment removed and {@code env} added.
     */
    private String probe(Map<String, String> env, String... jvmFlags) throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath =
                System.getProperty(
                        "surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(javaBin, "-cp", classPath));
        command.addAll(List.of(jvmFlags));
        command.add(RuntimeSettingsProbe.class.getName());
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        for (String launcherVariable :
                List.of(
                        "GLIBC_TUNABLES",
                        "LD_PRELOAD",
                        "ONEDNN_MAX_CPU_ISA",
                        "AXLEARN_NATIVE_DIR",
                        "AXLEARN_MKL_FASTPATH",
                        RuntimeSettings.SWITCH_ENV)) {
            pb.environment().remove(launcherVariable);
        }
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "probe did not finish:\n" + out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("probe done"), out);
        return out;
    }

    private static long faultsPerRound(String out) {
        Matcher m = Pattern.compile("faultsPerRound=(\\d+)").matcher(out);
        assertTrue(m.find(), out);
        return Long.parseLong(m.group(1));
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}

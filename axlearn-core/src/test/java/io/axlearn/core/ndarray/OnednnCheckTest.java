package io.axlearn.core.ndarray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@link OnednnCheck}'s cases run here with the test environment's ISA cap (the surefire
 * configuration's {@code ONEDNN_MAX_CPU_ISA}, {@code -Daxlearn.onednn.isa=ALL} for none); the
 * uncapped run in a child JVM and its cache are in {@link RuntimeSettingsTest}.
 */
class OnednnCheckTest {
    @Test
    void everyCase_matchesFloat64_inThisProcess() {
        try (NDManager m = Engines.pytorch().newBaseManager()) {
            OnednnCheck.Verdict v = OnednnCheck.run(m);
            assertTrue(v.correct(), v.detail());
            assertTrue(
                    v.detail().startsWith("0 of " + OnednnCheck.cases().size() + " "), v.detail());
        }
    }

    @Test
    void casesCoverTheShapesThatFailed_fewChannelsAndBatchTwo() {
        // docs/layers.md: 3x3, padding 1, 7x7, C_in = C_out = 1, 2, 4 wrong and 8 NaN at batch 2.
        for (int c : new int[] {1, 2, 4, 8}) {
            int[] failed = {2, c, c, 7, 3, 1};
            assertTrue(
                    OnednnCheck.cases().stream().anyMatch(x -> Arrays.equals(x, failed)),
                    "missing case " + Arrays.toString(failed));
        }
    }

    @Test
    void oneNanOrLargeError_makesTheVerdictWrong_andNamesTheCase() {
        int[] bad = OnednnCheck.cases().get(4);
        OnednnCheck.Verdict nan = OnednnCheck.judge(c -> Arrays.equals(c, bad) ? Double.NaN : 1e-7);
        assertFalse(nan.correct());
        assertTrue(nan.detail().startsWith("1 of "), nan.detail());
        assertTrue(
                nan.detail().contains("largest relative error NaN: batch " + bad[0]), nan.detail());
        OnednnCheck.Verdict large = OnednnCheck.judge(c -> Arrays.equals(c, bad) ? 0.3 : 1e-7);
        assertFalse(large.correct());
        assertTrue(large.detail().contains("0.30"), large.detail());
        assertTrue(OnednnCheck.judge(c -> OnednnCheck.TOLERANCE).correct());
    }

    @Test
    void cacheKey_namesTheCpuAndLibtorch_andTheFileIsPerKey() {
        String key = OnednnCheck.key();
        assertTrue(key.contains("model name"), key);
        boolean cpuHasMicrocode = cpuinfo().contains("microcode");
        assertEquals(cpuHasMicrocode, key.contains("microcode"), key);
        assertTrue(key.contains("libtorch: 2."), key);
        assertNotEquals(OnednnCheck.digest(key), OnednnCheck.digest(key + " "));
        assertEquals(
                "onednn-check-" + OnednnCheck.digest(key) + ".txt",
                OnednnCheck.cacheFile(java.nio.file.Path.of("x")).getFileName().toString());
    }

    /** This machine's /proc/cpuinfo; some VMs list no microcode revision. */
    private static String cpuinfo() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/cpuinfo"));
        } catch (java.io.IOException e) {
            return "";
        }
    }
}

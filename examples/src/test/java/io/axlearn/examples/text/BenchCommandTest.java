package io.axlearn.examples.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code axlearn bench} on a shrunken text.charlm. */
class BenchCommandTest {
    @TempDir Path dir;

    /** The small charlm's {@code --module --config --set ...} options, after {@code bench}. */
    private List<String> bench(String... options) {
        List<String> train = SmallRun.trainArgs(dir, 10);
        List<String> args = new ArrayList<>();
        args.add("bench");
        // Drop "train" and its --trainer-dir: bench writes no run directory.
        for (int i = 1; i < train.size(); i++) {
            if (train.get(i).equals("--trainer-dir")) {
                i++;
            } else {
                args.add(train.get(i));
            }
        }
        args.addAll(List.of(options));
        return args;
    }

    @Test
    void bench_timesTheRealTrainStep_andPrintsOneJsonLine() throws Exception {
        SmallRun.Result r = SmallRun.run(bench("--steps", "4", "--warmup", "1"));
        assertEquals(0, r.status(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertTrue(lines[0].startsWith("bench text.charlm/tiny: 4 steps after 1 warm-up, batch 8"));
        JsonNode json = new ObjectMapper().readTree(lines[lines.length - 1]);
        assertEquals("text.charlm/tiny", json.get("bench").asText());
        assertEquals(8, json.get("batch").asInt());
        assertEquals(
                256 * 32 + 4 * (32 * 32 + 32) + (32 * 128 + 128 + 128 * 32 + 32) + 2 * 64 + 64,
                json.get("params").asLong(),
                "tied embedding + one layer (q/k/v/o, FFN 32-128-32, two norms) + output norm");
        assertTrue(lines[0].endsWith(" 20,960 trained parameters"), lines[0]);
        double step = json.get("step_ms_median").asDouble();
        double phases =
                json.get("copy_ms").asDouble()
                        + json.get("forward_ms").asDouble()
                        + json.get("backward_ms").asDouble()
                        + json.get("update_ms").asDouble();
        assertTrue(step > 0 && phases > 0 && phases <= 1.5 * step, json.toString());
        assertEquals(
                json.get("examples_per_second").asDouble() * 32,
                json.get("tokens_per_second").asDouble(),
                1e-6,
                "32 tokens per example");
        double mfu = json.get("mfu").asDouble();
        assertTrue(mfu > 0 && mfu < 1, "MFU against the measured matmul peak: " + mfu);
        assertTrue(json.get("matmul_peak_gflops").asDouble() > 1, json.toString());
        assertTrue(json.get("peak_rss_mb").asDouble() > 50, json.toString());
        assertTrue(r.out().contains("breakdown (median ms): input "), r.out());
        assertTrue(!dir.toFile().exists() || dir.toFile().list().length == 0, "no run directory");
    }

    @Test
    void badStepCount_isOneLine() {
        SmallRun.Result r = SmallRun.run(bench("--steps", "0"));
        assertEquals(2, r.status());
        assertTrue(
                r.err().strip().startsWith("error: --steps must be at least 1"), r.err().strip());
    }
}

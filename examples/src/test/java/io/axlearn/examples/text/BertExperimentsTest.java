package io.axlearn.examples.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.axlearn.core.config.ConfigJson;
import io.axlearn.trainer.Trainer;
import io.axlearn.trainer.launch.ExperimentRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code text.bert}: parameter goldens, the JSON round trip, and a shrunken {@code mlm-tiny}
 * trained a few steps through the command line (the config goldens are in {@link
 * CharLmExperimentsTest}).
 */
class BertExperimentsTest {
    @TempDir Path dir;

    @Test
    void parameterSpecs_matchGoldenDumps() {
        ExperimentRegistry registry = ExperimentRegistry.load();
        for (String name : registry.names("text.bert")) {
            Trainer.Config cfg = (Trainer.Config) registry.get("text.bert", name);
            io.axlearn.core.testing.Goldens.assertMatches(
                    "params/text.bert/" + name + ".txt", cfg.instantiate().model().paramSpecDump());
        }
    }

    @Test
    void mlmTiny_roundTripsThroughJson_andIsBertTiny() {
        Trainer.Config tiny =
                (Trainer.Config) ExperimentRegistry.load().get("text.bert", "mlm-tiny");
        assertEquals(tiny, ConfigJson.fromJson(ConfigJson.toJson(tiny), Trainer.Config.class));
        long params =
                tiny.instantiate().model().paramSpecs().values().stream()
                        .mapToLong(s -> s.shape().size())
                        .sum();
        // google/bert_uncased_L-2_H-128_A-2 has 4,385,920 parameters with its pooler (128*128 +
        // 128); the masked-LM head adds a dense layer and norm (128*128 + 3*128) and the output
        // bias (30522), its decoder tied to the embedding.
        assertEquals(4_385_920L - 16_512 + 16_768 + 30_522, params);
    }

    @Test
    void mlmTiny_trainsAFewStepsThroughTheCommandLine_andEvaluates() throws IOException {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "train",
                                "--module",
                                "text.bert",
                                "--config",
                                "mlm-tiny",
                                "--trainer-dir",
                                dir.toString()));
        for (String set :
                List.of(
                        "model.encoder.dim=32",
                        "model.encoder.encoder.numLayers=1",
                        "model.encoder.encoder.layer.feedForward.hiddenDim.dim=64",
                        "input.source.seqLen=32",
                        "input.batchSize=8",
                        "evalers[validation].input.source.seqLen=32",
                        "evalers[validation].input.batchSize=8",
                        "evalers[validation].maxBatches=2",
                        "evalers[validation].everyNSteps.n=15",
                        "checkpointer.everyNSteps.n=15",
                        "summaryEveryNSteps=1",
                        "maxStep=15",
                        "learner.optimizer.learningRate.peak=1e-2",
                        "learner.optimizer.learningRate.maxStep=15",
                        "learner.optimizer.learningRate.warmupSteps=3")) {
            args.add("--set");
            args.add(set);
        }
        SmallRun.Result r = SmallRun.run(args);
        assertEquals(0, r.status(), r.err());
        SortedMap<Long, Double> losses = SmallRun.losses(dir);
        assertEquals(15, losses.size());
        double first = losses.get(1L);
        double last = losses.get(15L);
        // Untrained, the loss is about ln(30522) = 10.3 nats per masked token.
        assertTrue(first > 9.5, "step 1 loss " + first);
        assertTrue(last < first - 1.0, "loss must fall: step 1 " + first + ", step 15 " + last);
        assertTrue(r.out().contains("step 15 eval validation: {accuracy="), r.out());
        JsonNode eval = lastLine(dir.resolve("summaries/validation/metrics.jsonl"));
        assertEquals(15, eval.get("step").asLong());
        assertTrue(eval.has("accuracy"), eval.toString());
    }

    private static JsonNode lastLine(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        return new ObjectMapper().readTree(lines.get(lines.size() - 1));
    }
}

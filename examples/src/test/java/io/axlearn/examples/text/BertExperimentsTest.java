package io.axlearn.examples.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.axlearn.core.config.ConfigJson;
import io.axlearn.text.input.SequenceClassificationSource;
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
 * {@code text.bert}: parameter goldens, the JSON round trip, shrunken {@code mlm-tiny} and {@code
 * classify-tiny} runs trained a few steps through the command line (evaluation reproduced,
 * initialisation from a masked-LM checkpoint) (the config goldens are in {@link
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
        // google/bert_uncased_L-2_H-128_A-2 has 4,385,920 parameters with its pooler (128*128 +
        // 128); the masked-LM head adds a dense layer and norm (128*128 + 3*128) and the output
        // bias (30522), its decoder tied to the embedding.
        assertEquals(4_385_920L - 16_512 + 16_768 + 30_522, roundTripAndCountParams("mlm-tiny"));
    }

    @Test
    void classifyTiny_roundTripsThroughJson_andIsBertTinyWithATwoClassHead() {
        // google/bert_uncased_L-2_H-128_A-2 with its pooler, plus the classifier 128 * 2 + 2.
        assertEquals(4_385_920L + 258, roundTripAndCountParams("classify-tiny"));
    }

    /**
     * Checks that experiment {@code name} round-trips through JSON; returns its parameter count.
     */
    private static long roundTripAndCountParams(String name) {
        Trainer.Config cfg = (Trainer.Config) ExperimentRegistry.load().get("text.bert", name);
        assertEquals(cfg, ConfigJson.fromJson(ConfigJson.toJson(cfg), Trainer.Config.class));
        return cfg.instantiate().model().paramSpecs().values().stream()
                .mapToLong(s -> s.shape().size())
                .sum();
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

    /** The shrunken {@code classify-tiny} command line: d=32, one layer, 32 tokens, batch 8. */
    static List<String> classifyArgs(String command, Path dir, int maxStep, String... more) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                command,
                                "--module",
                                "text.bert",
                                "--config",
                                "classify-tiny",
                                "--trainer-dir",
                                dir.toString()));
        List<String> sets =
                new ArrayList<>(
                        List.of(
                                "model.encoder.dim=32",
                                "model.encoder.encoder.numLayers=1",
                                "model.encoder.encoder.layer.feedForward.hiddenDim.dim=64",
                                "input.source.seqLen=32",
                                "input.batchSize=8",
                                "evalers[validation].input.source.seqLen=32",
                                "evalers[validation].input.batchSize=64",
                                "evalers[validation].everyNSteps.n=" + maxStep,
                                "checkpointer.everyNSteps.n=" + maxStep,
                                "summaryEveryNSteps=1",
                                "maxStep=" + maxStep,
                                "learner.optimizer.learningRate.maxStep=" + maxStep,
                                "learner.optimizer.learningRate.warmupSteps=1"));
        sets.addAll(List.of(more));
        for (String set : sets) {
            args.add("--set");
            args.add(set);
        }
        return args;
    }

    @Test
    void classifyTiny_trainsAFewStepsThroughTheCommandLine_andEvalReproducesItsMetrics()
            throws IOException {
        SmallRun.Result r = SmallRun.run(classifyArgs("train", dir, 12));
        assertEquals(0, r.status(), r.err());
        SortedMap<Long, Double> losses = SmallRun.losses(dir);
        assertEquals(12, losses.size());
        // Two classes: an untrained classifier is near ln 2 = 0.69 nats.
        assertTrue(Math.abs(losses.get(1L) - Math.log(2)) < 0.3, "step 1 loss " + losses);

        SmallRun.Result e = SmallRun.run(classifyArgs("eval", dir, 12));
        assertEquals(0, e.status(), e.err());
        JsonNode last = lastLine(dir.resolve("summaries/validation/metrics.jsonl"));
        assertEquals(12, last.get("step").asLong());
        for (String metric : List.of("accuracy", "precision", "recall", "f1", "loss")) {
            assertTrue(last.has(metric), last.toString());
            // The train command's final evaluation and a separate eval of the checkpoint agree.
            String trained =
                    String.format(
                            java.util.Locale.ROOT,
                            "eval validation %s %.4f",
                            metric,
                            last.get(metric).asDouble());
            assertTrue(r.out().contains(trained), trained + " not in\n" + r.out());
            assertTrue(e.out().contains("step 12 " + trained + " (weight "), e.out());
        }
        // Recall is a mean over the held-out spam emails: its weight is their number.
        SequenceClassificationSource.Source heldOut =
                (SequenceClassificationSource.Source)
                        BertExperiments.spamAssassin(32)
                                .split(SequenceClassificationSource.Split.HELD_OUT)
                                .instantiate();
        long spam = 0;
        for (long i = 0; i < heldOut.size(); i++) {
            spam += heldOut.get(i).ints(SequenceClassificationSource.LABELS)[0];
        }
        assertTrue(
                e.out()
                        .contains(
                                String.format(
                                        java.util.Locale.ROOT,
                                        "recall %.4f (weight %d)",
                                        last.get("recall").asDouble(),
                                        spam)),
                spam + " spam emails held out; " + e.out());
    }

    @Test
    void classifyTiny_startsFromAnMlmTinyCheckpoint() throws IOException {
        Path mlm = dir.resolve("mlm");
        List<String> mlmArgs =
                new ArrayList<>(
                        List.of(
                                "train",
                                "--module",
                                "text.bert",
                                "--config",
                                "mlm-tiny",
                                "--trainer-dir",
                                mlm.toString()));
        for (String set :
                List.of(
                        "model.encoder.dim=32",
                        "model.encoder.encoder.numLayers=1",
                        "model.encoder.encoder.layer.feedForward.hiddenDim.dim=64",
                        "input.source.seqLen=32",
                        "input.batchSize=8",
                        "evalers[validation].input.source.seqLen=32",
                        "evalers[validation].maxBatches=1",
                        "evalers[validation].everyNSteps.n=2",
                        "checkpointer.everyNSteps.n=2",
                        "maxStep=2",
                        "learner.optimizer.learningRate.maxStep=2",
                        "learner.optimizer.learningRate.warmupSteps=1")) {
            mlmArgs.add("--set");
            mlmArgs.add(set);
        }
        SmallRun.Result pre = SmallRun.run(mlmArgs);
        assertEquals(0, pre.status(), pre.err());

        // Without freshPaths the classifier's new head is missing from the masked-LM checkpoint.
        SmallRun.Result strict =
                SmallRun.run(
                        classifyArgs(
                                "train",
                                dir.resolve("strict"),
                                2,
                                "initFrom.path=" + mlm,
                                "initFrom.allowUnused=true"));
        assertTrue(strict.status() != 0, strict.out());
        assertTrue(strict.err().contains("classifier/weight"), strict.err());

        SmallRun.Result tuned =
                SmallRun.run(
                        classifyArgs(
                                "train",
                                dir.resolve("tuned"),
                                2,
                                "initFrom.path=" + mlm,
                                "initFrom.freshPaths=[\"pooler/.*\", \"classifier/.*\"]",
                                "initFrom.allowUnused=true"));
        assertEquals(0, tuned.status(), tuned.err());
        // The run records where its weights came from.
        JsonNode initFrom =
                new ObjectMapper()
                        .readTree(Files.readString(dir.resolve("tuned/config.json")))
                        .get("initFrom");
        JsonNode expected =
                new ObjectMapper()
                        .readTree(ConfigJson.toJson(BertExperiments.fromMlm(mlm.toString())));
        for (String field : List.of("path", "freshPaths", "allowUnused")) {
            assertEquals(expected.get(field), initFrom.get(field), field);
        }
    }
}

package io.axlearn.examples.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.axlearn.core.testing.Goldens;
import io.axlearn.text.tokenizers.Gpt2BpeTokenizer;
import io.axlearn.trainer.Trainer;
import io.axlearn.trainer.launch.ExperimentRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code text.gpt}: the config, a few training steps and generation through the command line. */
class GptExperimentsTest {
    @TempDir Path dir;

    private static Trainer.Config bpeSmall() {
        return (Trainer.Config) ExperimentRegistry.load().get("text.gpt", "bpe-small");
    }

    @Test
    void bpeSmall_modelAndInputsShareTheGpt2Tokenizer_andItsVocabulary() {
        Trainer.Config cfg = bpeSmall();
        Object tokenizer = cfg.get("model.tokenizer");
        assertEquals(Gpt2BpeTokenizer.gpt2(), tokenizer);
        assertEquals(tokenizer, cfg.get("input.source.tokenizer"));
        assertEquals(tokenizer, cfg.get("evalers[validation].input.source.tokenizer"));
        assertEquals(50_257, cfg.get("model.vocabSize"));
        assertEquals(true, cfg.get("model.eosBeforePrompt"));
        assertEquals(true, cfg.get("input.source.segmentIds"));
        Goldens.assertMatches(
                "params/text.gpt/bpe-small.txt", cfg.instantiate().model().paramSpecDump());
    }

    @Test
    void bpeSmall_trainsAFewSteps_thenGeneratesFromThePrompt() throws Exception {
        List<String> train =
                new ArrayList<>(
                        List.of(
                                "train",
                                "--module",
                                "text.gpt",
                                "--config",
                                "bpe-small",
                                "--trainer-dir",
                                dir.toString()));
        for (String set :
                List.of(
                        "model.dim=32",
                        "model.decoder.numLayers=1",
                        "model.decoder.layer.selfAttention.numHeads=2",
                        "input.source.seqLen=32",
                        "input.batchSize=4",
                        "evalers[validation].input.source.seqLen=32",
                        "evalers[validation].maxBatches=2",
                        "evalers[validation].everyNSteps.n=6",
                        "checkpointer.everyNSteps.n=6",
                        "summaryEveryNSteps=1",
                        "maxStep=6",
                        "learner.optimizer.learningRate.maxStep=6",
                        "learner.optimizer.learningRate.warmupSteps=2")) {
            train.add("--set");
            train.add(set);
        }
        SmallRun.Result trained = SmallRun.run(train);
        assertEquals(0, trained.status(), trained.err());
        SortedMap<Long, Double> losses = SmallRun.losses(dir);
        assertEquals(6, losses.size());
        // From uniform over 50,257 ids (ln 50257 = 10.8 nats) the loss falls within a few steps.
        assertTrue(losses.get(1L) > 10 && losses.get(6L) < losses.get(1L), losses.toString());
        assertTrue(trained.out().contains("eval validation loss"), trained.out());

        List<String> generate =
                List.of(
                        "generate",
                        "--trainer-dir",
                        dir.toString(),
                        "--prompt",
                        "And God said",
                        "--max-tokens",
                        "12",
                        "--temperature",
                        "0.8",
                        "--seed",
                        "5");
        SmallRun.Result a = SmallRun.run(generate);
        assertEquals(0, a.status(), a.err());
        assertTrue(a.out().startsWith("And God said"), a.out());
        assertTrue(a.out().strip().length() > "And God said".length(), a.out());
        assertEquals(a.out(), SmallRun.run(generate).out(), "the same seed, the same text");
    }
}

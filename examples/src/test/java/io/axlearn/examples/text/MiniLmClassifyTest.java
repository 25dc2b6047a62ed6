package io.axlearn.examples.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code text.bert/minilm-classify} trains a few steps from the pretrained MiniLM weights. */
class MiniLmClassifyTest {
    @TempDir Path dir;

    @Test
    void minilmClassify_startsFromThePretrainedWeights_andTrains() throws Exception {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "train",
                                "--module",
                                "text.bert",
                                "--config",
                                "minilm-classify",
                                "--trainer-dir",
                                dir.toString()));
        for (String set :
                List.of(
                        "input.source.seqLen=32",
                        "input.batchSize=4",
                        "evalers[validation].input.source.seqLen=32",
                        "evalers[validation].input.batchSize=16",
                        "evalers[validation].maxBatches=1",
                        "evalers[validation].everyNSteps.n=3",
                        "checkpointer.everyNSteps.n=3",
                        "summaryEveryNSteps=1",
                        "maxStep=3",
                        "learner.optimizer.learningRate.maxStep=3",
                        "learner.optimizer.learningRate.warmupSteps=1")) {
            args.add("--set");
            args.add(set);
        }
        SmallRun.Result r = SmallRun.run(args);
        assertEquals(0, r.status(), r.err());
        String log = r.out() + r.err();
        // Every encoder parameter comes from the ONNX file; the pooler and classifier are fresh.
        assertTrue(
                log.contains(
                        "initialised 101 parameters from classpath:all-minilm-l6-v2.onnx, 4"
                                + " fresh"),
                log);
        SortedMap<Long, Double> losses = SmallRun.losses(dir);
        assertEquals(3, losses.size());
        losses.values().forEach(l -> assertTrue(Double.isFinite(l) && l > 0, losses.toString()));
    }
}

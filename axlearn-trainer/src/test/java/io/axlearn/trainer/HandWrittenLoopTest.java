package io.axlearn.trainer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.axlearn.core.input.Input;
import io.axlearn.core.input.InputState;
import io.axlearn.core.learner.Learner;
import io.axlearn.core.module.BaseModel;
import io.axlearn.core.ndarray.Engines;
import io.axlearn.core.testing.DocSnippets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hand-written training loop of docs/training.md, run, and checked to be shown verbatim. */
class HandWrittenLoopTest {

    // [doc-start]
    /** Trains {@code model} with a loop of its own; returns every tenth loss. */
    static List<Double> train(BaseModel model, Learner learner, Input input, long steps) {
        TrainStep trainStep = new TrainStep(model, learner, /* seed= */ 0, /* microBatches= */ 2);
        List<Double> losses = new ArrayList<>();
        try (NDManager root = Engines.pytorch().newBaseManager();
                Input.BatchIterator batches = input.iterator()) {
            TrainerState state = trainStep.init(root, InputState.start(input.getConfig().seed()));
            while (state.step() < steps) {
                try (TrainStep.Output out = trainStep.apply(state, batches.next())) {
                    state = out.state();
                    if (state.step() % 10 == 0) {
                        losses.add(out.scalars().get("loss")); // the only copy to the host
                    }
                }
            }
        }
        return losses;
    }

    // [doc-end]

    @Test
    void handWrittenLoop_trains() {
        List<Double> losses =
                train(
                        Regression.model().instantiate(),
                        Regression.learner().instantiate(),
                        Regression.input(8).instantiate(),
                        60);
        assertTrue(losses.size() == 6 && losses.get(5) < losses.get(0) / 4, losses.toString());
    }

    @Test
    void docsTrainingMd_showsThisLoopVerbatim() {
        DocSnippets.assertShown(
                Path.of("src/test/java/io/axlearn/trainer/HandWrittenLoopTest.java"),
                "doc",
                Path.of("..", "docs", "training.md"));
    }
}

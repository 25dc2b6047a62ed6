package io.axlearn.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.axlearn.core.input.Batch;
import io.axlearn.core.input.InputState;
import io.axlearn.core.ndarray.Engines;
import io.axlearn.examples.bench.HandWrittenGptBenchmark.Dims;
import io.axlearn.examples.bench.HandWrittenGptBenchmark.HandWrittenGpt;
import io.axlearn.trainer.TrainStep;
import io.axlearn.trainer.TrainerState;
import org.junit.jupiter.api.Test;

class HandWrittenGptBenchmarkTest {

    /**
     * The benchmark compares like with like only if the hand-written step does the library's work:
     * the same loss from the same weights, and after one step (clipping, AdamW with its decay on
     * the matrices only) the same weights. A large learning rate makes the decay show.
     */
    @Test
    void oneStep_sameLossAndWeightsAsTrainStep() {
        Dims dims = new Dims(32, 2, 2, 64, 16, 2);
        double lr = 0.1;
        TrainStep library = HandWrittenGptBenchmark.libraryStep(dims, lr);
        Batch batch = HandWrittenGptBenchmark.batch(dims, 1);
        try (NDManager run = Engines.pytorch().newBaseManager()) {
            TrainerState state = library.init(run, InputState.start(0));
            HandWrittenGpt hand = new HandWrittenGpt(dims, lr, state.params().asMap(), run);
            assertEquals(library.numTrainableValues(), hand.numValues());
            assertEquals(state.params().asMap().size(), hand.numTensors());
            double handLoss = hand.step(batch, null);
            double libraryLoss;
            try (TrainStep.Output out = library.apply(state, batch)) {
                libraryLoss = out.loss();
            }
            assertEquals(libraryLoss, handLoss, 1e-5);
            state.params()
                    .asMap()
                    .forEach(
                            (path, p) -> {
                                float diff = hand.parameter(path).sub(p).abs().max().getFloat();
                                assertTrue(diff < 1e-5, path + " differs by " + diff);
                            });
        }
    }
}

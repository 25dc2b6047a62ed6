package io.axlearn.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.axlearn.core.input.Input;
import io.axlearn.core.input.InputState;
import io.axlearn.core.learner.GlobalNormClipping;
import io.axlearn.core.learner.Learner;
import io.axlearn.core.module.BaseModel;
import io.axlearn.core.ndarray.Engines;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TrainStepTest {
    private NDManager root;

    @BeforeEach
    void open() {
        root = Engines.pytorch().newBaseManager();
    }

    @AfterEach
    void close() {
        root.close();
    }

    /** Per-step losses and the final parameters of {@code steps} steps. */
    private record Run(List<Double> losses, Map<String, float[]> params) {}

    private Run train(BaseModel model, Learner learner, int microBatches, int steps) {
        TrainStep trainStep = new TrainStep(model, learner, 5, microBatches);
        Input input = Regression.input(8).instantiate();
        List<Double> losses = new ArrayList<>();
        try (NDManager run = root.newSubManager();
                Input.BatchIterator batches = input.iterator()) {
            TrainerState state = trainStep.init(run, InputState.start(3));
            for (int i = 0; i < steps; i++) {
                try (TrainStep.Output out = trainStep.apply(state, batches.next())) {
                    state = out.state();
                    losses.add(out.loss());
                }
            }
            Map<String, float[]> params = new TreeMap<>();
            state.params().asMap().forEach((k, v) -> params.put(k, v.toFloatArray()));
            return new Run(losses, params);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 4, 8})
    void microBatches_equalOneBatchOfTheirSum(int microBatches) {
        BaseModel model = Regression.model().instantiate();
        Learner learner =
                Regression.learner().clipping(GlobalNormClipping.config(0.5)).instantiate();
        Run whole = train(model, learner, 1, 5);
        Run accumulated = train(model, learner, microBatches, 5);
        for (int i = 0; i < 5; i++) {
            assertEquals(whole.losses().get(i), accumulated.losses().get(i), 1e-5, "step " + i);
        }
        whole.params()
                .forEach((k, v) -> assertArrayEquals(v, accumulated.params().get(k), 1e-5f, k));
    }

    @Test
    void stepsTrain_andLeaveNoArraysBehind() {
        TrainStep trainStep =
                new TrainStep(
                        Regression.model().instantiate(), Regression.learner().instantiate(), 5, 2);
        Input input = Regression.input(8).instantiate();
        try (Input.BatchIterator batches = input.iterator()) {
            TrainerState state = trainStep.init(root, InputState.start(3));
            int live = -1;
            double first = Double.NaN;
            double lastLoss = Double.NaN;
            for (int step = 1; step <= 60; step++) {
                try (TrainStep.Output out = trainStep.apply(state, batches.next())) {
                    state = out.state();
                    Map<String, Double> scalars = out.scalars();
                    assertEquals(
                            List.of("gradient_norm", "learning_rate", "loss", "mae"),
                            List.copyOf(scalars.keySet()));
                    lastLoss = scalars.get("loss");
                    first = step == 1 ? lastLoss : first;
                }
                assertEquals(step, state.step());
                int now = root.getManagedArrays().size();
                if (step > 1) {
                    assertEquals(live, now, "arrays alive on the root after step " + step);
                }
                live = now;
            }
            assertTrue(lastLoss < first / 4, "loss " + first + " -> " + lastLoss);
            assertEquals(60, state.input().batches());
        }
    }

    @Test
    void nonFiniteGradient_withFiniteLoss_stopsBeforeTheUpdate() {
        TrainStep trainStep =
                new TrainStep(
                        Regression.model().gradientTrap(true).instantiate(),
                        Regression.learner().instantiate(),
                        5,
                        1);
        Input input = Regression.input(8).instantiate();
        try (Input.BatchIterator batches = input.iterator()) {
            TrainerState state = trainStep.init(root, InputState.start(3));
            Map<String, float[]> before = new TreeMap<>();
            state.params().asMap().forEach((k, v) -> before.put(k, v.toFloatArray()));
            TrainerState s = state;
            TrainingDivergedException e =
                    assertThrows(
                            TrainingDivergedException.class,
                            () -> trainStep.apply(s, batches.next()));
            assertTrue(
                    e.getMessage().matches("gradient norm is NaN \\(loss [0-9.]+\\) at step 1;.*"),
                    e.getMessage());
            // The trap is on out/weight alone: the message names it and no other.
            assertTrue(
                    e.getMessage()
                            .contains("; non-finite gradients in 1 of 4 parameters (out/weight)"),
                    e.getMessage());
            assertEquals(1, e.step());
            state.params()
                    .asMap()
                    .forEach((k, v) -> assertArrayEquals(before.get(k), v.toFloatArray(), k));
            assertEquals(0, state.optimizer().step());
            for (NDArray p : state.params().asMap().values()) {
                try (NDArray g = p.getGradient()) {
                    assertEquals(0f, g.abs().sum().getFloat(), "gradients are zeroed");
                }
            }
        }
    }

    @Test
    void batchThatDoesNotSplit_isRefused() {
        TrainStep trainStep =
                new TrainStep(
                        Regression.model().instantiate(), Regression.learner().instantiate(), 5, 3);
        Input input = Regression.input(8).instantiate();
        try (Input.BatchIterator batches = input.iterator()) {
            TrainerState state = trainStep.init(root, InputState.start(3));
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> trainStep.apply(state, batches.next()));
            assertEquals("batch of 8 examples does not split into microBatches=3", e.getMessage());
        }
    }
}

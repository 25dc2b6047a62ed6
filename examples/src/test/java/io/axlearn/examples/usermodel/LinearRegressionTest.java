package io.axlearn.examples.usermodel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.config.ConfigJson;
import io.axlearn.core.input.ExampleSource;
import io.axlearn.core.input.Input;
import io.axlearn.core.io.SafeTensors;
import io.axlearn.core.learner.Learner;
import io.axlearn.core.learner.Sgd;
import io.axlearn.core.testing.DocSnippets;
import io.axlearn.core.testing.TorchGolden;
import io.axlearn.trainer.Trainer;
import io.axlearn.trainer.checkpoint.Checkpointer;
import io.axlearn.trainer.eval.Evaler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data source and model of docs/training.md, "Your own data and model": the trainer learns the
 * source's true coefficients, and the run directory names the user classes that no provider
 * registers.
 */
class LinearRegressionTest {
    private static final Path DIR = Path.of("src/test/java/io/axlearn/examples/usermodel");
    private static final Path DOC = Path.of("..", "docs", "training.md");

    @TempDir Path trainerDir;

    @Test
    void trainer_learnsTheTrueCoefficients_andWritesTheUserClassesIntoConfigJson()
            throws IOException {
        // [training-doc-run-start]
        Trainer.Config cfg =
                Trainer.config()
                        .model(LinearRegression.config().inputDim(2))
                        .input(
                                Input.config()
                                        .source(new NoisyLinearSource().size(512))
                                        .batchSize(32)
                                        .shuffleBufferSize(128))
                        .learner(Learner.config().optimizer(Sgd.config().learningRate(0.1)))
                        .evaler(
                                "validation",
                                Evaler.config()
                                        .input(
                                                Input.config()
                                                        .source(
                                                                new NoisyLinearSource()
                                                                        .size(256)
                                                                        .seed(1))
                                                        .batchSize(64))
                                        .everyNSteps(300))
                        .checkpointer(Checkpointer.config().everyNSteps(300))
                        .maxStep(300);
        Trainer.Result result = cfg.instantiate().run(trainerDir);
        // [training-doc-run-end]
        assertEquals(300, result.step());
        double evalLoss = result.evaluations().get("validation").get("loss").mean();
        assertTrue(evalLoss < 0.02, "held-out MSE near the noise variance 0.01: " + evalLoss);

        try (NDManager m = TorchGolden.manager()) {
            var params =
                    SafeTensors.read(
                                    Checkpointer.stepDir(trainerDir, 300)
                                            .resolve("params.safetensors"),
                                    m)
                            .tensors();
            float[] w = params.get("weight").toFloatArray();
            float b = params.get("bias").toFloatArray()[0];
            assertEquals(2.0, w[0], 0.05, "slope 0");
            assertEquals(-3.0, w[1], 0.05, "slope 1");
            assertEquals(0.5, b, 0.05, "intercept");
        }

        String json = Files.readString(trainerDir.resolve("config.json"));
        assertTrue(
                json.contains(
                        "\"@type\" : \"io.axlearn.examples.usermodel.LinearRegression.Config\""),
                json);
        assertTrue(
                json.contains("\"@type\" : \"io.axlearn.examples.usermodel.NoisyLinearSource\""));
        assertEquals(cfg, ConfigJson.fromJson(json, Trainer.Config.class));
        assertTrue(
                Files.readString(trainerDir.resolve("config.txt"))
                        .contains(
                                "input.source.@type: io.axlearn.examples.usermodel.NoisyLinearSource\n"));
    }

    @Test
    void source_isDeterministicPerIndexAndDiffersBySeed() {
        ExampleSource a = new NoisyLinearSource().size(10).instantiate();
        ExampleSource again = new NoisyLinearSource().size(10).instantiate();
        ExampleSource other = new NoisyLinearSource().size(10).seed(1).instantiate();
        assertEquals(10, a.size());
        assertEquals(a.get(7), again.get(7));
        assertTrue(!a.get(7).equals(other.get(7)));
        assertEquals(2, a.get(3).floats("x").length);
    }

    @Test
    void source_rejectsNonPositiveSize() {
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () -> new NoisyLinearSource().size(0).instantiateAt("input.source"));
        assertEquals(
                "input.source.size must be positive, got 0 (NoisyLinearSource)", e.getMessage());
    }

    @Test
    void docsTrainingMd_showsTheSourceModelAndRunVerbatim() {
        DocSnippets.assertShown(DIR.resolve("NoisyLinearSource.java"), "training-doc-source", DOC);
        DocSnippets.assertShown(DIR.resolve("LinearRegression.java"), "training-doc-model", DOC);
        DocSnippets.assertShown(DIR.resolve("LinearRegressionTest.java"), "training-doc-run", DOC);
    }
}

package io.axlearn.examples.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.input.Input;
import io.axlearn.core.input.InputState;
import io.axlearn.core.learner.AdamW;
import io.axlearn.core.learner.Learner;
import io.axlearn.core.learner.Schedule;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.ndarray.Engines;
import io.axlearn.core.testing.LeakCheck;
import io.axlearn.trainer.TrainStep;
import io.axlearn.trainer.TrainerState;
import io.axlearn.vision.classifier.ImageClassifier;
import io.axlearn.vision.classifier.ImageEncoder;
import io.axlearn.vision.input.MnistJsonSource;
import io.axlearn.vision.vit.VisionTransformer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Training and evaluating an image classifier leave no arrays and no native memory behind: the
 * BatchNorm and class-token paths compute on views of their parameters, which must land on the
 * step's manager, not on the parameters' long-lived one.
 */
class ImageClassifierMemoryTest {

    @Test
    void repeatedEvaluation_keepsArraysAndMallocFlat() {
        ImageClassifier model =
                ImageClassifier.config()
                        .encoder(FashionExperiments.resnetTiny())
                        .numClasses(10)
                        .imageShape(1, 28, 28)
                        .instantiate();
        try (NDManager root = Engines.pytorch().newBaseManager()) {
            ParamTree params = model.initParams(0, root);
            // As after training: the trainer switches gradients on for the parameters.
            params.asMap().values().forEach(p -> p.setRequiresGradient(true));
            NDArray images = root.randomNormal(new Shape(200, 784));
            NDArray labels =
                    root.randomInteger(
                            0, 10, new Shape(200, 1), ai.djl.ndarray.types.DataType.INT32);
            NDArray weight = root.ones(new Shape(200));
            int arrays = LeakCheck.liveArrays(root);
            long[] malloc = new long[6];
            for (int pass = 0; pass < malloc.length; pass++) {
                for (int b = 0; b < 5; b++) {
                    try (NDManager step = root.newSubManager()) {
                        Map<String, NDArray> batch =
                                Map.of(
                                        "image", images.duplicate(),
                                        "label", labels.duplicate(),
                                        "weight", weight.duplicate());
                        batch.values().forEach(a -> a.attach(step));
                        model.forward(ForwardContext.eval(params, step), batch).loss().getFloat();
                    }
                }
                malloc[pass] = LeakCheck.mallocInUseKib();
                System.out.println(
                        "pass "
                                + pass
                                + ": arrays "
                                + LeakCheck.liveArrays(root)
                                + ", malloc KiB "
                                + malloc[pass]
                                + ", rss KiB "
                                + LeakCheck.residentKib());
            }
            assertEquals(
                    arrays, LeakCheck.liveArrays(root), "arrays left on the parameters' manager");
            assertTrue(
                    malloc[malloc.length - 1] < malloc[1] * 1.1,
                    "malloc in use grew from "
                            + malloc[1]
                            + " to "
                            + malloc[malloc.length - 1]
                            + " KiB");
        }
    }

    @Test
    void trainingSteps_leaveNoArraysOnTheRunManager() {
        for (ImageEncoder.Config<?, ?> encoder :
                List.<ImageEncoder.Config<?, ?>>of(
                        FashionExperiments.resnetTiny(), VisionTransformer.vit(28, 7, 16, 1, 2))) {
            ImageClassifier model =
                    ImageClassifier.config()
                            .encoder(encoder)
                            .numClasses(10)
                            .imageShape(1, 28, 28)
                            .instantiate();
            Learner learner =
                    Learner.config()
                            .optimizer(AdamW.config().learningRate(Schedule.constant(1e-3)))
                            .instantiate();
            TrainStep trainStep = new TrainStep(model, learner, 0, 1);
            Input input =
                    Input.config()
                            .source(new MnistJsonSource())
                            .batchSize(16)
                            .shuffleBufferSize(64)
                            .seed(1)
                            .instantiate();
            try (NDManager run = Engines.pytorch().newBaseManager();
                    Input.BatchIterator batches = input.iterator()) {
                TrainerState state = trainStep.init(run, InputState.start(1));
                int afterFirst = -1;
                for (int i = 0; i < 6; i++) {
                    try (TrainStep.Output out = trainStep.apply(state, batches.next())) {
                        state = out.state();
                        out.loss();
                    }
                    if (i == 0) {
                        afterFirst = LeakCheck.liveArrays(run);
                    }
                }
                assertEquals(
                        afterFirst,
                        LeakCheck.liveArrays(run),
                        encoder.getClass().getSimpleName() + ": arrays on the run manager");
            }
        }
    }
}

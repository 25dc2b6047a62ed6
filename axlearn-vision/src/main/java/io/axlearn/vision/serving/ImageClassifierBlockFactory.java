package io.axlearn.vision.serving;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.BlockFactory;
import io.axlearn.core.config.ConfigJson;
import io.axlearn.core.io.SafeTensors;
import io.axlearn.core.module.ParamTree;
import io.axlearn.vision.classifier.ImageClassifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Builds an {@link ImageClassifierBlock} from a model directory written by {@link DjlExport}: the
 * classifier from {@code config.json} (our config JSON with {@code @type} names), its parameters
 * from {@code model.safetensors}, read onto the DJL model's manager. DJL finds it by the {@code
 * blockFactory} line of the directory's {@code serving.properties}.
 */
public final class ImageClassifierBlockFactory implements BlockFactory {
    private static final long serialVersionUID = 1L;

    @Override
    public Block newBlock(Model model, Path modelPath, Map<String, ?> arguments) {
        try {
            ImageClassifier.Config cfg =
                    ConfigJson.fromJson(
                            Files.readString(modelPath.resolve(DjlExport.CONFIG)),
                            ImageClassifier.Config.class);
            ImageClassifier classifier = cfg.instantiate();
            Map<String, NDArray> params =
                    SafeTensors.read(modelPath.resolve(DjlExport.WEIGHTS), model.getNDManager())
                            .tensors();
            return new ImageClassifierBlock(classifier, ParamTree.of(params));
        } catch (IOException e) {
            throw new UncheckedIOException(modelPath + ": " + e.getMessage(), e);
        }
    }
}

package io.axlearn.vision.serving;

import ai.djl.inference.Predictor;
import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a DJL user writes, with only DJL's API: loads the exported model directory and classifies an
 * image file. Run by {@link DjlExportTest} in a child JVM whose class path holds DJL, the PyTorch
 * engine and axlearn-core/axlearn-vision only (no trainer, no tests), it also reports whether the
 * trainer is loadable there.
 *
 * <p>Usage: {@code DjlUserMain <model dir> <image file> <output file>}; the output holds {@code
 * trainer-visible <true|false>} then one {@code <class> <probability>} line per class.
 */
public final class DjlUserMain {
    private DjlUserMain() {}

    public static void main(String[] args) throws Exception {
        List<String> out = new ArrayList<>();
        boolean trainerVisible;
        try {
            Class.forName("io.axlearn.trainer.Trainer");
            trainerVisible = true;
        } catch (ClassNotFoundException e) {
            trainerVisible = false;
        }
        out.add("trainer-visible " + trainerVisible);
        Criteria<Image, Classifications> criteria =
                Criteria.builder()
                        .setTypes(Image.class, Classifications.class)
                        .optModelPath(Path.of(args[0]))
                        .optEngine("PyTorch")
                        .build();
        Image image = ImageFactory.getInstance().fromFile(Path.of(args[1]));
        try (ZooModel<Image, Classifications> model = criteria.loadModel();
                Predictor<Image, Classifications> predictor = model.newPredictor()) {
            Classifications result = predictor.predict(image);
            for (Classifications.Classification c : result.items()) {
                out.add(c.getClassName() + " " + c.getProbability());
            }
        }
        Files.write(Path.of(args[2]), out);
    }
}

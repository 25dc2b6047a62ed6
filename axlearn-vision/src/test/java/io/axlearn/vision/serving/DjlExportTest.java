package io.axlearn.vision.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.testing.DjlOnlyJvm;
import io.axlearn.core.testing.TorchGolden;
import io.axlearn.vision.classifier.ImageClassifier;
import io.axlearn.vision.resnet.ResNet;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A classifier exported with {@link DjlExport} runs through DJL's {@code Predictor} in a fresh JVM
 * whose class path holds only DJL and our inference classes ({@link DjlUserMain}), and gives the
 * class probabilities our model computes here.
 */
class DjlExportTest {
    private static final List<String> LABELS = List.of("cat", "dog", "ship", "tree");

    @TempDir Path dir;

    @Test
    void exportedClassifier_predictsThroughDjl_inAFreshClassPath_withTheSameOutputs()
            throws Exception {
        ImageClassifier.Config cfg =
                ImageClassifier.config()
                        .encoder(ResNet.small(1, 8).stem(ResNet.Stem.IMAGENET))
                        .numClasses(LABELS.size())
                        .imageShape(3, 16, 16);
        ImageClassifier model = cfg.instantiate();
        Path export = dir.resolve("model");
        Path imageFile = dir.resolve("image.png");
        BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(3);
        float[] chw = new float[3 * 16 * 16];
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                int r = random.nextInt(256);
                int g = random.nextInt(256);
                int b = random.nextInt(256);
                image.setRGB(x, y, (r << 16) | (g << 8) | b);
                chw[y * 16 + x] = r / 255f;
                chw[256 + y * 16 + x] = g / 255f;
                chw[512 + y * 16 + x] = b / 255f;
            }
        }
        ImageIO.write(image, "png", imageFile.toFile());
        float[] expected;
        try (NDManager m = TorchGolden.manager()) {
            ParamTree params = model.initParams(7, m);
            DjlExport.write(export, cfg, params.asMap(), LABELS);
            NDArray logits =
                    model.logits(
                            ForwardContext.eval(params, m), m.create(chw, new Shape(1, 3, 16, 16)));
            expected = logits.softmax(-1).toFloatArray();
        }

        Path out = dir.resolve("predictions.txt");
        DjlOnlyJvm.run(
                dir,
                DjlUserMain.class,
                List.of("axlearn-core", "axlearn-vision"),
                export.toString(),
                imageFile.toString(),
                out.toString());
        List<String> lines = Files.readAllLines(out);
        assertEquals("trainer-visible false", lines.get(0));
        Map<String, Double> predicted = new HashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] parts = line.split(" ");
            predicted.put(parts[0], Double.parseDouble(parts[1]));
        }
        assertEquals(LABELS.size(), predicted.size(), lines.toString());
        for (int k = 0; k < LABELS.size(); k++) {
            assertEquals(expected[k], predicted.get(LABELS.get(k)), 1e-5, LABELS.get(k));
        }
    }
}

package io.axlearn.vision.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.testing.TorchGolden;
import io.axlearn.vision.classifier.ImageClassifier;
import io.axlearn.vision.resnet.ResNet;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
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
        runDjlUser(export, imageFile, out);
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

    /**
     * Runs {@link DjlUserMain} in a child JVM on a class path of DJL, the engine, and the main
     * classes of axlearn-core and axlearn-vision with their libraries: no test classes (but {@link
     * DjlUserMain}'s own class file, copied alone), no trainer.
     */
    private void runDjlUser(Path model, Path image, Path out) throws Exception {
        Path userClasses = dir.resolve("user-classes");
        String classFile = DjlUserMain.class.getName().replace('.', '/') + ".class";
        Path target = userClasses.resolve(classFile);
        Files.createDirectories(target.getParent());
        try (var in = DjlUserMain.class.getClassLoader().getResourceAsStream(classFile)) {
            Files.copy(in, target);
        }
        List<String> classPath = new ArrayList<>(List.of(userClasses.toString()));
        String full =
                System.getProperty(
                        "surefire.test.class.path", System.getProperty("java.class.path"));
        for (String entry : full.split(File.pathSeparator)) {
            boolean ours = entry.contains("axlearn-core") || entry.contains("axlearn-vision");
            boolean testOnly =
                    entry.contains("test-classes")
                            || entry.contains("junit")
                            || entry.contains("opentest4j")
                            || entry.contains("apiguardian")
                            || entry.contains("-tests.jar");
            if (!testOnly && (ours || !entry.contains("axlearn"))) {
                classPath.add(entry);
            }
        }
        List<String> command =
                List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        String.join(File.pathSeparator, classPath),
                        DjlUserMain.class.getName(),
                        model.toString(),
                        image.toString(),
                        out.toString());
        Path log = dir.resolve("child.log");
        Process p =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        assertTrue(p.waitFor(3, TimeUnit.MINUTES), "DJL child timed out");
        assertEquals(0, p.exitValue(), Files.readString(log));
    }
}

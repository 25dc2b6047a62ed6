package io.axlearn.examples.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.axlearn.core.input.ExampleSource;
import io.axlearn.core.module.BaseModel;
import io.axlearn.core.testing.DocSnippets;
import io.axlearn.core.testing.Goldens;
import io.axlearn.examples.text.SmallRun;
import io.axlearn.trainer.Trainer;
import io.axlearn.trainer.launch.ExperimentRegistry;
import io.axlearn.vision.classifier.ImageClassifier;
import io.axlearn.vision.input.ImageFolderSource;
import io.axlearn.vision.resnet.ResNet;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SortedMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vision.fashion} through the real command line: a few steps of each experiment on the real
 * Fashion-MNIST files, {@code eval} reproducing the last evaluation, and a user's folder of images
 * trained with only {@code --set} overrides.
 */
public class FashionExperimentsTest {
    @TempDir Path dir;

    /** A shrunken run of {@code config}: small batches, two evaluation batches, a few steps. */
    static List<String> args(
            String command, String config, Path runDir, long steps, String... sets) {
        return args(command, "vision.fashion", config, runDir, steps, sets);
    }

    /**
     * As {@link #args(String, String, Path, long, String...)} for another module whose evaler is
     * {@code test} (vision.mnist, multimodal.clip).
     */
    public static List<String> args(
            String command, String module, String config, Path runDir, long steps, String... sets) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                command,
                                "--module",
                                module,
                                "--config",
                                config,
                                "--trainer-dir",
                                runDir.toString()));
        List<String> all =
                new ArrayList<>(
                        List.of(
                                "input.batchSize=16",
                                "input.shuffleBufferSize=256",
                                "evalers[test].input.batchSize=50",
                                "evalers[test].maxBatches=2",
                                "evalers[test].everyNSteps.n=" + steps,
                                "checkpointer.everyNSteps.n=" + steps,
                                "summaryEveryNSteps=1",
                                "maxStep=" + steps,
                                "learner.optimizer.learningRate.maxStep=" + steps,
                                "learner.optimizer.learningRate.warmupSteps=2"));
        all.addAll(List.of(sets));
        for (String s : all) {
            args.add("--set");
            args.add(s);
        }
        return args;
    }

    /** The value of {@code eval test <name>} in a run's output. */
    public static double metric(String out, String name) {
        Matcher m = Pattern.compile("eval test " + name + " ([0-9.]+)").matcher(out);
        assertTrue(m.find(), "no eval test " + name + " in:\n" + out);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void parameterSpecs_matchGoldenDumps() {
        ExperimentRegistry registry = ExperimentRegistry.load();
        for (String module : List.of("vision.fashion", "vision.mnist")) {
            for (String name : registry.names(module)) {
                Trainer.Config cfg = (Trainer.Config) registry.get(module, name);
                Goldens.assertMatches(
                        "params/" + module + "/" + name + ".txt",
                        ((BaseModel.Config<?, ?>) cfg.get("model")).instantiate().paramSpecDump());
            }
        }
    }

    @Test
    void mnist_trainsOnTheNpmDigits_andEvaluatesTheHeldOutTenth() {
        Path runDir = dir.resolve("mnist");
        SmallRun.Result r = SmallRun.run(args("train", "vision.mnist", "resnet-tiny", runDir, 4));
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("done: step 4"), r.out());
        assertTrue(metric(r.out(), "top5_accuracy") >= metric(r.out(), "accuracy"), r.out());
    }

    @Test
    void eachExperiment_trainsOnFashionMnist_andEvalReproducesTheLastEvaluation() {
        for (String config : List.of("resnet-tiny", "vit-tiny")) {
            Path runDir = dir.resolve(config);
            SmallRun.Result r = SmallRun.run(args("train", config, runDir, 4));
            assertEquals(0, r.status(), config + ": " + r.err());
            assertTrue(r.out().contains("done: step 4"), r.out());
            double accuracy = metric(r.out(), "accuracy");
            double top5 = metric(r.out(), "top5_accuracy");
            assertTrue(top5 >= accuracy, config + ": top-5 " + top5 + " < top-1 " + accuracy);
            SmallRun.Result e = SmallRun.run(args("eval", config, runDir, 4));
            assertEquals(0, e.status(), config + ": " + e.err());
            assertEquals(accuracy, metric(e.out(), "accuracy"), 1e-9, config + " eval accuracy");
        }
    }

    /** Writes {@code n} noisy {@code size x size} RGB images of horizontal or vertical stripes. */
    private static void writeStripes(Path folder, boolean horizontal, int n, int size, long seed)
            throws IOException {
        Files.createDirectories(folder);
        Random random = new Random(seed);
        for (int i = 0; i < n; i++) {
            BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
            int phase = random.nextInt(4);
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    boolean on = ((horizontal ? y : x) + phase) % 4 < 2;
                    int v =
                            Math.min(
                                    255,
                                    Math.max(
                                            0,
                                            (on ? 200 : 40) + (int) (random.nextGaussian() * 30)));
                    img.setRGB(x, y, (v << 16) | (v << 8) | v);
                }
            }
            ImageIO.write(img, "png", folder.resolve(String.format("%03d.png", i)).toFile());
        }
    }

    @Test
    void aFolderOfImages_trainsWithOnlySetOverrides() throws IOException {
        Path images = dir.resolve("images");
        writeStripes(images.resolve("horizontal"), true, 40, 20, 1);
        writeStripes(images.resolve("vertical"), false, 40, 20, 2);
        String[] folder = {
            "input.source.@type=vision/ImageFolderSource",
            "input.source.root=" + images,
            "input.source.height=28",
            "input.source.width=28",
            "input.source.channels=1",
            "input.source.resize=true",
            "evalers[test].input.source.@type=vision/ImageFolderSource",
            "evalers[test].input.source.root=" + images,
            "evalers[test].input.source.height=28",
            "evalers[test].input.source.width=28",
            "evalers[test].input.source.channels=1",
            "evalers[test].input.source.resize=true",
            "model.numClasses=2"
        };
        Path runDir = dir.resolve("run");
        SmallRun.Result r = SmallRun.run(args("train", "resnet-tiny", runDir, 30, folder));
        assertEquals(0, r.status(), r.err());
        SortedMap<Long, Double> losses = SmallRun.losses(runDir);
        assertTrue(
                losses.get(30L) < losses.get(1L) - 0.2,
                "loss must fall: " + losses.get(1L) + " -> " + losses.get(30L));
        assertTrue(metric(r.out(), "accuracy") >= 0.9, r.out());
    }

    @Test
    void aFolderOfImages_fromJava_isTheConfigDocsVisionMdShows() throws IOException {
        Path images = dir.resolve("images");
        writeStripes(images.resolve("horizontal"), true, 3, 28, 1);
        writeStripes(images.resolve("vertical"), false, 3, 28, 2);
        String root = images.toString();
        // [vision-doc-folder-start]
        Trainer.Config trainer =
                FashionExperiments.trainer(ResNet.small(2, 32), 128, 3_000, 3e-3, 200, 5e-4);
        trainer.set(
                "input.source",
                new ImageFolderSource().root(root).height(28).width(28).channels(1));
        trainer.set("model.numClasses", 2);
        // [vision-doc-folder-end]
        ExampleSource source = ((ImageFolderSource) trainer.get("input.source")).instantiate();
        assertEquals(6, source.size());
        assertEquals(2, ((ImageClassifier.Config) trainer.get("model")).numClasses());
        DocSnippets.assertShown(
                Path.of("src/test/java/io/axlearn/examples/vision/FashionExperimentsTest.java"),
                "vision-doc-folder",
                Path.of("..", "docs", "vision.md"));
    }
}

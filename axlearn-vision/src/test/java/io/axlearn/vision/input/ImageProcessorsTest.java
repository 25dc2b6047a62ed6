package io.axlearn.vision.input;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.axlearn.core.config.ConfigException;
import io.axlearn.core.input.Example;
import io.axlearn.core.input.Input;
import io.axlearn.core.input.InputState;
import io.axlearn.core.input.Processor;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageProcessorsTest {

    private static Example image(float... values) {
        return Example.of(Map.of(ImageFeatures.IMAGE, values, ImageFeatures.LABEL, new int[] {0}));
    }

    @Test
    void normalize_usesPerChannelMeanAndStd() {
        Processor p =
                new ImageProcessors.Normalize()
                        .shape(2, 1, 2)
                        .meanStd(List.of(0.5, 1.0), List.of(0.25, 2.0))
                        .instantiate();
        float[] out = p.apply(image(0.5f, 1f, 3f, 1f)).floats(ImageFeatures.IMAGE);
        assertArrayEquals(new float[] {0f, 2f, 1f, 0f}, out, 1e-6f);
    }

    @Test
    void flip_mirrorsRowsOrKeepsTheImage() {
        Processor always =
                new ImageProcessors.RandomFlip().shape(1, 2, 3).probability(1).instantiate();
        Processor never =
                new ImageProcessors.RandomFlip().shape(1, 2, 3).probability(0).instantiate();
        Example e = image(1, 2, 3, 4, 5, 6);
        assertArrayEquals(
                new float[] {3, 2, 1, 6, 5, 4}, always.apply(e).floats(ImageFeatures.IMAGE));
        assertEquals(e, never.apply(e));
    }

    @Test
    void crop_shiftsWithinThePaddingDeterministically() {
        Processor crop = new ImageProcessors.RandomCrop().shape(1, 3, 3).padding(1).instantiate();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            Example e = image(i, 1, 2, 3, 4, 5, 6, 7, 8);
            float[] out = crop.apply(e).floats(ImageFeatures.IMAGE);
            assertArrayEquals(out, crop.apply(e).floats(ImageFeatures.IMAGE));
            // With one pixel of padding the centre pixel is never padding: it is one of the
            // original centre's 3x3 neighbours, i.e. one of the image's own values.
            float centre = out[4];
            assertTrue(
                    centre == i || (centre >= 1 && centre <= 8 && centre == Math.rint(centre)),
                    "centre " + centre);
            seen.add(java.util.Arrays.toString(java.util.Arrays.copyOfRange(out, 1, 9)));
        }
        // Nine shifts of a 1-pixel padding; 40 images see several of them.
        assertTrue(seen.size() >= 5, "saw " + seen.size() + " crops");
        Processor unpadded =
                new ImageProcessors.RandomCrop().shape(1, 3, 3).padding(0).instantiate();
        Example e = image(1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertEquals(e, unpadded.apply(e));
        Processor otherSeed =
                new ImageProcessors.RandomCrop().shape(1, 3, 3).padding(1).seed(5).instantiate();
        int differ = 0;
        for (int i = 0; i < 20; i++) {
            Example x = image(i, 1, 2, 3, 4, 5, 6, 7, 8);
            if (!crop.apply(x).equals(otherSeed.apply(x))) {
                differ++;
            }
        }
        assertNotEquals(0, differ);
    }

    @Test
    void wrongShapesAndConfigs_areErrors() {
        Processor p = new ImageProcessors.RandomFlip().shape(1, 2, 2).instantiate();
        IllegalArgumentException shape =
                assertThrows(IllegalArgumentException.class, () -> p.apply(image(1, 2, 3)));
        assertTrue(shape.getMessage().contains("expected 1x2x2"), shape.getMessage());
        ConfigException std =
                assertThrows(
                        ConfigException.class,
                        () ->
                                new ImageProcessors.Normalize()
                                        .shape(1, 1, 1)
                                        .meanStd(List.of(0.0), List.of(0.0))
                                        .instantiate());
        assertTrue(std.getMessage().contains("std"), std.getMessage());
    }

    /** The flat image features of a batch, as a string per example. */
    private static List<String> images(io.axlearn.core.input.Batch b) {
        java.nio.FloatBuffer f =
                b.features()
                        .get(ImageFeatures.IMAGE)
                        .duplicate()
                        .order(java.nio.ByteOrder.nativeOrder())
                        .asFloatBuffer();
        List<String> out = new java.util.ArrayList<>();
        int n = (int) b.size();
        int per = f.remaining() / n;
        for (int i = 0; i < n; i++) {
            float[] v = new float[per];
            f.get(v);
            out.add(java.util.Arrays.toString(v));
        }
        return out;
    }

    @Test
    void inAnInput_eachEpochDrawsNewCropsAndFlips_andAResumeDrawsTheSame(@TempDir Path dir)
            throws java.io.IOException {
        for (int c = 0; c < 2; c++) {
            Path folder = java.nio.file.Files.createDirectories(dir.resolve("class" + c));
            for (int i = 0; i < 2; i++) {
                java.awt.image.BufferedImage img =
                        new java.awt.image.BufferedImage(
                                8, 8, java.awt.image.BufferedImage.TYPE_INT_RGB);
                for (int p = 0; p < 64; p++) {
                    int v = (p * 37 + c * 11 + i * 5) % 256;
                    img.setRGB(p % 8, p / 8, (v << 16) | (v << 8) | v);
                }
                javax.imageio.ImageIO.write(img, "png", folder.resolve(i + ".png").toFile());
            }
        }
        Input input =
                Input.config()
                        .source(
                                new ImageFolderSource()
                                        .root(dir.toString())
                                        .height(8)
                                        .width(8)
                                        .channels(1))
                        .addProcessor(new ImageProcessors.RandomCrop().shape(1, 8, 8).padding(2))
                        .addProcessor(new ImageProcessors.RandomFlip().shape(1, 8, 8))
                        .batchSize(4)
                        .seed(3)
                        .instantiate();
        List<List<String>> epochs = new java.util.ArrayList<>();
        InputState afterFirst;
        try (Input.BatchIterator it = input.iterator()) {
            io.axlearn.core.input.Batch first = it.next();
            afterFirst = first.stateAfter();
            epochs.add(images(first));
            epochs.add(images(it.next()));
            epochs.add(images(it.next()));
        }
        // Unshuffled, every batch holds the same four images in the same order, one epoch each.
        assertTrue(!epochs.get(0).equals(epochs.get(1)), "epoch 2 repeats epoch 1's crops");
        assertTrue(!epochs.get(1).equals(epochs.get(2)), "epoch 3 repeats epoch 2's crops");
        try (Input.BatchIterator resumed = input.iterator(afterFirst)) {
            assertEquals(epochs.get(1), images(resumed.next()), "a resumed input draws the same");
        }
    }
}

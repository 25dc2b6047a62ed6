package io.axlearn.vision.input;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.axlearn.core.config.ConfigException;
import io.axlearn.core.input.Example;
import io.axlearn.core.input.ExampleSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxImageSourceTest {
    @TempDir Path dir;

    /** An IDX image file of {@code n} images of 2x3 whose pixel j of image i is 10*i + j. */
    static byte[] images(int n) {
        ByteBuffer b = ByteBuffer.allocate(16 + n * 6);
        b.putInt(0x803).putInt(n).putInt(2).putInt(3);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 6; j++) {
                b.put((byte) (10 * i + j));
            }
        }
        return b.array();
    }

    static byte[] labels(int... values) {
        ByteBuffer b = ByteBuffer.allocate(8 + values.length);
        b.putInt(0x801).putInt(values.length);
        for (int v : values) {
            b.put((byte) v);
        }
        return b.array();
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    @Test
    void plainAndGzipFiles_giveScaledPixelsAndLabels() throws IOException {
        Files.write(dir.resolve("img"), images(3));
        Files.write(dir.resolve("lab.gz"), gzip(labels(7, 0, 9)));
        ExampleSource s =
                new IdxImageSource()
                        .images(dir.resolve("img").toString())
                        .labels(dir.resolve("lab.gz").toString())
                        .instantiate();
        assertEquals(3, s.size());
        Example e = s.get(2);
        assertArrayEquals(new int[] {9}, e.ints(ImageFeatures.LABEL));
        float[] img = e.floats(ImageFeatures.IMAGE);
        assertEquals(6, img.length);
        assertEquals(20 / 255f, img[0], 1e-7);
        assertEquals(25 / 255f, img[5], 1e-7);
        assertEquals(s.get(1), s.get(1));
    }

    @Test
    void badFiles_areOneLineErrorsNamingTheFile() throws IOException {
        Path img = dir.resolve("img");
        Path lab = dir.resolve("lab");
        Files.write(img, Arrays.copyOf(images(3), 16 + 10));
        Files.write(lab, labels(1, 2, 3));
        ConfigException truncated = assertThrows(ConfigException.class, () -> source(img, lab));
        assertTrue(truncated.getMessage().startsWith(img + ": truncated"), truncated.getMessage());

        Files.write(img, images(2));
        ConfigException count = assertThrows(ConfigException.class, () -> source(img, lab));
        assertTrue(count.getMessage().contains("has 3 labels but"), count.getMessage());

        ConfigException magic = assertThrows(ConfigException.class, () -> source(lab, img));
        assertTrue(magic.getMessage().startsWith(lab + ": not an IDX image file"));

        ConfigException missing =
                assertThrows(ConfigException.class, () -> source(dir.resolve("none"), lab));
        assertTrue(missing.getMessage().contains("no such file"), missing.getMessage());
    }

    private static ExampleSource source(Path img, Path lab) {
        return new IdxImageSource().images(img.toString()).labels(lab.toString()).instantiate();
    }
}

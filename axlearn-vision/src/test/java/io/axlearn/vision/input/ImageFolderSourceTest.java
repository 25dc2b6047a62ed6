package io.axlearn.vision.input;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.axlearn.core.config.ConfigException;
import io.axlearn.core.input.Example;
import io.axlearn.core.input.ExampleSource;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderSourceTest {
    @TempDir Path dir;

    static void writeImage(Path file, int rgb, String format) throws IOException {
        Files.createDirectories(file.getParent());
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 3; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        img.setRGB(2, 1, 0xffffff);
        ImageIO.write(img, format, file.toFile());
    }

    @Test
    void classesAreSortedSubFolders_andPixelsAreChwInUnitRange() throws IOException {
        writeImage(dir.resolve("dog/b.png"), 0x000080, "png");
        writeImage(dir.resolve("cat/a.png"), 0xff0000, "png");
        writeImage(dir.resolve("dog/a.jpg"), 0x00ff00, "jpg");
        Files.writeString(dir.resolve("dog/notes.txt"), "ignored");
        ExampleSource s =
                new ImageFolderSource().root(dir.toString()).height(2).width(3).instantiate();
        assertEquals(List.of("cat", "dog"), ImageFolderSource.classNames(dir));
        assertEquals(3, s.size());
        Example cat = s.get(0);
        assertArrayEquals(new int[] {0}, cat.ints(ImageFeatures.LABEL));
        float[] img = cat.floats(ImageFeatures.IMAGE);
        assertEquals(18, img.length);
        assertEquals(1f, img[0]); // red plane, pixel (0,0)
        assertEquals(0f, img[6]); // green plane
        assertEquals(1f, img[6 + 5]); // the white pixel (x=2, y=1) in green
        assertArrayEquals(new int[] {1}, s.get(2).ints(ImageFeatures.LABEL));
        assertEquals(128 / 255f, s.get(2).floats(ImageFeatures.IMAGE)[12], 1e-6); // dog/b blue

        ExampleSource grey =
                new ImageFolderSource()
                        .root(dir.toString())
                        .height(2)
                        .width(3)
                        .channels(1)
                        .instantiate();
        assertEquals(6, grey.get(0).floats(ImageFeatures.IMAGE).length);
        assertEquals(0.299f, grey.get(0).floats(ImageFeatures.IMAGE)[0], 1e-6);
    }

    @Test
    void badImagesAndFolders_areErrorsNamingTheFile() throws IOException {
        writeImage(dir.resolve("a/x.png"), 0, "png");
        Path broken = dir.resolve("a/y.png");
        byte[] full = Files.readAllBytes(dir.resolve("a/x.png"));
        Files.write(broken, java.util.Arrays.copyOf(full, 20));
        ExampleSource s =
                new ImageFolderSource().root(dir.toString()).height(2).width(3).instantiate();
        ConfigException truncated = assertThrows(ConfigException.class, () -> s.get(1));
        assertTrue(truncated.getMessage().startsWith(broken.toString()), truncated.getMessage());

        ExampleSource wrongSize =
                new ImageFolderSource().root(dir.toString()).height(4).width(3).instantiate();
        ConfigException size = assertThrows(ConfigException.class, () -> wrongSize.get(0));
        assertTrue(size.getMessage().contains("image is 2x3, expected 4x3"), size.getMessage());

        Files.createDirectories(dir.resolve("empty"));
        ConfigException empty =
                assertThrows(
                        ConfigException.class,
                        () ->
                                new ImageFolderSource()
                                        .root(dir.toString())
                                        .height(2)
                                        .width(3)
                                        .instantiate());
        assertTrue(empty.getMessage().contains(dir.resolve("empty") + " has no PNG or JPEG"));
    }
}

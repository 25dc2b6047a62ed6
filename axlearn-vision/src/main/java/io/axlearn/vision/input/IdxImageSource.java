package io.axlearn.vision.input;

import io.axlearn.core.config.ConfigException;
import io.axlearn.core.config.ConfigPath;
import io.axlearn.core.config.Required;
import io.axlearn.core.input.Example;
import io.axlearn.core.input.ExampleSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Images and labels from a pair of IDX ("ubyte") files, the format of MNIST and Fashion-MNIST
 * (http://yann.lecun.com/exdb/mnist/): an image file of magic {@code 0x00000803} holding {@code
 * count x rows x cols} unsigned bytes and a label file of magic {@code 0x00000801} holding {@code
 * count} unsigned bytes. Files ending in {@code .gz} are decompressed.
 *
 * <p>Example {@code i} has {@link ImageFeatures#IMAGE} ({@code float[rows*cols]}, one channel,
 * pixel / 255 in {@code [0, 1]}) and {@link ImageFeatures#LABEL} ({@code int[1]}). Both files are
 * read once, when the source is created.
 */
public final class IdxImageSource extends ExampleSource.Config<IdxImageSource> {
    private static final int IMAGES_MAGIC = 0x00000803;
    private static final int LABELS_MAGIC = 0x00000801;

    /** IDX image file ({@code *-images-idx3-ubyte}, optionally {@code .gz}). */
    @Required private String images;

    /** IDX label file ({@code *-labels-idx1-ubyte}, optionally {@code .gz}). */
    @Required private String labels;

    /** Sets the image file. */
    public IdxImageSource images(String v) {
        return set(() -> images = v);
    }

    /** Sets the label file. */
    public IdxImageSource labels(String v) {
        return set(() -> labels = v);
    }

    @Override
    protected ExampleSource create() {
        byte[] img = readFile(images, ConfigPath.child(path(), "images"));
        byte[] lab = readFile(labels, ConfigPath.child(path(), "labels"));
        int imgMagic = header(img, 0, images);
        if (imgMagic != IMAGES_MAGIC) {
            throw new ConfigException(
                    images
                            + ": not an IDX image file (magic 0x"
                            + Integer.toHexString(imgMagic)
                            + ", expected 0x803)");
        }
        int labMagic = header(lab, 0, labels);
        if (labMagic != LABELS_MAGIC) {
            throw new ConfigException(
                    labels
                            + ": not an IDX label file (magic 0x"
                            + Integer.toHexString(labMagic)
                            + ", expected 0x801)");
        }
        int count = header(img, 1, images);
        int rows = header(img, 2, images);
        int cols = header(img, 3, images);
        int labelCount = header(lab, 1, labels);
        long expected = 16L + (long) count * rows * cols;
        if (count < 0 || rows <= 0 || cols <= 0 || img.length < expected) {
            throw new ConfigException(
                    images
                            + ": truncated: header says "
                            + count
                            + " images of "
                            + rows
                            + "x"
                            + cols
                            + " ("
                            + expected
                            + " bytes), file has "
                            + img.length);
        }
        if (lab.length < 8L + labelCount) {
            throw new ConfigException(
                    labels
                            + ": truncated: header says "
                            + labelCount
                            + " labels, file has "
                            + (lab.length - 8)
                            + " bytes of labels");
        }
        if (labelCount != count) {
            throw new ConfigException(
                    labels
                            + ": has "
                            + labelCount
                            + " labels but "
                            + images
                            + " has "
                            + count
                            + " images");
        }
        int pixels = rows * cols;
        return new ExampleSource() {
            @Override
            public long size() {
                return count;
            }

            @Override
            public Example get(long index) {
                float[] image = new float[pixels];
                int base = 16 + (int) index * pixels;
                for (int i = 0; i < pixels; i++) {
                    image[i] = (img[base + i] & 0xff) / 255f;
                }
                int[] label = {lab[8 + (int) index] & 0xff};
                return Example.of(Map.of(ImageFeatures.IMAGE, image, ImageFeatures.LABEL, label));
            }

            @Override
            public String toString() {
                return "IdxImageSource(" + count + " images of " + rows + "x" + cols + ")";
            }
        };
    }

    private static int header(byte[] data, int word, String file) {
        int at = 4 * word;
        if (data.length < at + 4) {
            throw new ConfigException(file + ": too short for an IDX header");
        }
        return ((data[at] & 0xff) << 24)
                | ((data[at + 1] & 0xff) << 16)
                | ((data[at + 2] & 0xff) << 8)
                | (data[at + 3] & 0xff);
    }

    private static byte[] readFile(String location, String configPath) {
        Path p = Path.of(location);
        try (InputStream raw = Files.newInputStream(p);
                InputStream in = location.endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
            return in.readAllBytes();
        } catch (NoSuchFileException e) {
            throw new ConfigException(configPath + ": no such file: " + location);
        } catch (IOException e) {
            throw new ConfigException(
                    configPath + ": cannot read " + location + ": " + e.getMessage());
        }
    }
}

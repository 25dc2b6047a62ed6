package io.axlearn.vision.input;

import io.axlearn.core.config.ConfigException;
import io.axlearn.core.config.ConfigPath;
import io.axlearn.core.config.Required;
import io.axlearn.core.input.Example;
import io.axlearn.core.input.ExampleSource;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Labelled images from a folder with one sub-folder per class ({@code root/cat/1.png}, {@code
 * root/dog/a.jpg}): the classes are the sub-folder names in sorted order (label 0 is the first);
 * files are PNG or JPEG, decoded with {@code javax.imageio} on each {@link ExampleSource#get}.
 *
 * <p>Every image must be {@code height x width}, or with {@code resize} is scaled to it (bilinear,
 * aspect ratio not kept); it is converted to {@code channels} (1: luma, 3: RGB) and scaled to
 * {@code [0, 1]}. Example features are those of {@link ImageFeatures}. A file that does not decode
 * or (without {@code resize}) has another size is an error naming the file.
 */
public final class ImageFolderSource extends ExampleSource.Config<ImageFolderSource> {

    /** The folder of class sub-folders. */
    @Required private String root;

    /** Image height in pixels. */
    @Required private Integer height;

    /** Image width in pixels. */
    @Required private Integer width;

    /** Channels of the decoded image: 1 (grey) or 3 (RGB). */
    private int channels = 3;

    /** Scale images of another size to {@code height x width} (bilinear) instead of failing. */
    private boolean resize = false;

    /** Sets the folder. */
    public ImageFolderSource root(String v) {
        return set(() -> root = v);
    }

    /** Sets the image height. */
    public ImageFolderSource height(int v) {
        return set(() -> height = v);
    }

    /** Sets the image width. */
    public ImageFolderSource width(int v) {
        return set(() -> width = v);
    }

    /** Sets the channel count. */
    public ImageFolderSource channels(int v) {
        return set(() -> channels = v);
    }

    /** Sets whether images of another size are scaled. */
    public ImageFolderSource resize(boolean v) {
        return set(() -> resize = v);
    }

    @Override
    protected void validate() {
        if (height <= 0 || width <= 0) {
            throw invalid(
                    "height", "height and width must be positive, got " + height + "x" + width);
        }
        if (channels != 1 && channels != 3) {
            throw invalid("channels", "must be 1 or 3, got " + channels);
        }
    }

    @Override
    protected ExampleSource create() {
        Path dir = Path.of(root);
        String at = ConfigPath.child(path(), "root");
        if (!Files.isDirectory(dir)) {
            throw new ConfigException(at + ": no such folder: " + root);
        }
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<Path> classes = sorted(dir, Files::isDirectory);
        if (classes.isEmpty()) {
            throw new ConfigException(at + ": " + root + " has no class sub-folders");
        }
        for (int c = 0; c < classes.size(); c++) {
            List<Path> images = sorted(classes.get(c), ImageFolderSource::isImage);
            if (images.isEmpty()) {
                throw new ConfigException(
                        at + ": class folder " + classes.get(c) + " has no PNG or JPEG images");
            }
            for (Path p : images) {
                files.add(p);
                labels.add(c);
            }
        }
        int h = height;
        int w = width;
        int ch = channels;
        boolean scale = resize;
        return new ExampleSource() {
            @Override
            public long size() {
                return files.size();
            }

            @Override
            public Example get(long index) {
                Path file = files.get((int) index);
                float[] image = decode(file, h, w, ch, scale);
                int[] label = {labels.get((int) index)};
                return Example.of(Map.of(ImageFeatures.IMAGE, image, ImageFeatures.LABEL, label));
            }

            @Override
            public String toString() {
                return "ImageFolderSource("
                        + files.size()
                        + " images, "
                        + classes.size()
                        + " classes)";
            }
        };
    }

    /** The class names of a folder, in label order. */
    public static List<String> classNames(Path root) {
        return sorted(root, Files::isDirectory).stream()
                .map(p -> p.getFileName().toString())
                .toList();
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(p)
                && (n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg"));
    }

    private static List<Path> sorted(Path dir, java.util.function.Predicate<Path> keep) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(keep).sorted().toList();
        } catch (IOException e) {
            throw new ConfigException("cannot list " + dir + ": " + e.getMessage());
        }
    }

    static float[] decode(Path file, int h, int w, int channels, boolean resize) {
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(
                    file + ": not a readable PNG or JPEG image: " + e.getMessage());
        }
        if (img == null) {
            throw new ConfigException(file + ": not a readable PNG or JPEG image");
        }
        if ((img.getHeight() != h || img.getWidth() != w) && resize) {
            img = scaled(img, h, w);
        }
        if (img.getHeight() != h || img.getWidth() != w) {
            throw new ConfigException(
                    file
                            + ": image is "
                            + img.getHeight()
                            + "x"
                            + img.getWidth()
                            + ", expected "
                            + h
                            + "x"
                            + w
                            + " (height x width); set resize to scale images");
        }
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        float[] out = new float[channels * h * w];
        int plane = h * w;
        for (int i = 0; i < plane; i++) {
            int p = argb[i];
            float r = ((p >> 16) & 0xff) / 255f;
            float g = ((p >> 8) & 0xff) / 255f;
            float b = (p & 0xff) / 255f;
            if (channels == 1) {
                out[i] = 0.299f * r + 0.587f * g + 0.114f * b;
            } else {
                out[i] = r;
                out[plane + i] = g;
                out[2 * plane + i] = b;
            }
        }
        return out;
    }

    /** {@code img} scaled to {@code h x w} with bilinear interpolation. */
    private static BufferedImage scaled(BufferedImage img, int h, int w) {
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(
                    RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(img, 0, 0, w, h, null);
        } finally {
            g.dispose();
        }
        return out;
    }
}

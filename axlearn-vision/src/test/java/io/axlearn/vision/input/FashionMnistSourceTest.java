package io.axlearn.vision.input;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.axlearn.core.config.ConfigException;
import io.axlearn.core.input.ExampleSource;
import io.axlearn.core.io.DebianPackages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistSourceTest {
    @TempDir Path dir;

    @Test
    void splitsReadTheirGzipFiles() throws IOException {
        Files.write(
                dir.resolve("t10k-images-idx3-ubyte.gz"),
                IdxImageSourceTest.gzip(IdxImageSourceTest.images(2)));
        Files.write(
                dir.resolve("t10k-labels-idx1-ubyte.gz"),
                IdxImageSourceTest.gzip(IdxImageSourceTest.labels(4, 5)));
        ExampleSource test =
                new FashionMnistSource()
                        .dir(dir.toString())
                        .split(FashionMnistSource.Split.TEST)
                        .instantiate();
        assertEquals(2, test.size());
        assertArrayEquals(new int[] {5}, test.get(1).ints(ImageFeatures.LABEL));
    }

    @Test
    void missingFiles_sayWhatToInstall() {
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () ->
                                new FashionMnistSource()
                                        .dir(dir.toString())
                                        .install(false)
                                        .instantiate());
        assertTrue(
                e.getMessage().contains("install it with `apt-get install dataset-fashion-mnist`"),
                e.getMessage());
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    }

    /** Installs Debian's package first where this process can (root with apt-get), as users get. */
    @Test
    void debianPackage_hasTheFullSplits() {
        Assumptions.assumeTrue(
                Files.isDirectory(Path.of(FashionMnistSource.DEBIAN_DIR))
                        || DebianPackages.canInstall(),
                "dataset-fashion-mnist is not installed and this process cannot install it");
        ExampleSource train = new FashionMnistSource().instantiate();
        ExampleSource test =
                new FashionMnistSource().split(FashionMnistSource.Split.TEST).instantiate();
        assertEquals(60_000, train.size());
        assertEquals(10_000, test.size());
        assertEquals(784, test.get(9_999).floats(ImageFeatures.IMAGE).length);
        int label = train.get(0).ints(ImageFeatures.LABEL)[0];
        assertTrue(label >= 0 && label < 10, "label " + label);
    }
}

package io.axlearn.core.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.axlearn.core.io.SafeTensors;
import io.axlearn.core.io.WeightMap;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/** Checks shared by the tests of the family {@link WeightMap}s. */
public final class WeightMapChecks {
    private WeightMapChecks() {}

    /**
     * Imports {@code foreign}, exports the result (tied aliases included) and asserts the same
     * names, dtypes, shapes and bytes as {@code foreign} less the names in {@code droppedOnImport};
     * then imports the export again and asserts our tensors unchanged.
     *
     * @return the imported tensors (ours)
     */
    public static SortedMap<String, NDArray> assertExactRoundTrip(
            WeightMap map, Map<String, NDArray> foreign, Set<String> droppedOnImport) {
        SortedMap<String, NDArray> ours = map.toOurs(foreign, WeightMap.Selection.all()).tensors();
        SortedMap<String, NDArray> back =
                map.toForeign(ours, WeightMap.Selection.all().writeTied(true)).tensors();
        SortedMap<String, NDArray> kept = new TreeMap<>(foreign);
        kept.keySet().removeAll(droppedOnImport);
        assertSameTensors(kept, back, "export(import(x))");
        assertSameTensors(ours, map.toOurs(back, WeightMap.Selection.all()).tensors(), "re-import");
        return ours;
    }

    /**
     * The tensors of the safetensors test resource {@code /golden/<testClass>/<name>.safetensors}
     * (a state dict written by a tools/golden/interop_*.py generator).
     */
    public static SortedMap<String, NDArray> stateDict(
            Class<?> testClass, String name, NDManager manager) {
        String resource = "/golden/" + testClass.getSimpleName() + "/" + name + ".safetensors";
        try {
            return SafeTensors.read(Path.of(testClass.getResource(resource).toURI()), manager)
                    .tensors();
        } catch (IOException | URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("cannot read test resource " + resource, e);
        }
    }

    /** Asserts the same names and, per name, the same dtype, shape and bytes. */
    public static void assertSameTensors(
            Map<String, NDArray> expected, Map<String, NDArray> actual, String what) {
        assertEquals(new TreeMap<>(expected).keySet(), new TreeMap<>(actual).keySet(), what);
        expected.forEach(
                (name, e) -> {
                    NDArray a = actual.get(name);
                    assertEquals(e.getDataType(), a.getDataType(), what + " " + name);
                    assertEquals(e.getShape(), a.getShape(), what + " " + name);
                    assertArrayEquals(e.toByteArray(), a.toByteArray(), what + " " + name);
                });
    }

    /** Asserts {@code |actual - expected| <= tolerance * max|expected|} element-wise. */
    public static void assertCloseToScale(
            NDArray expected, NDArray actual, double tolerance, String what) {
        double scale = expected.abs().max().getFloat();
        TorchGolden.assertAllClose(expected, actual, 0, tolerance * scale, what);
    }
}

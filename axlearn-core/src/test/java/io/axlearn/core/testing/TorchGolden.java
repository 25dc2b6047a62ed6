package io.axlearn.core.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.axlearn.core.io.SafeTensors;
import io.axlearn.core.module.ParamTree;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A PyTorch-generated golden file: {@code params/<path>}, {@code inputs/<name>}, {@code
 * outputs/<name>} and {@code grads/<name>} tensors plus string metadata (the layer's config
 * values), written by a script in {@code tools/golden/} (with {@code golden_common.py}) and read
 * from {@code src/test/resources/golden/<TestClass>/<case>.safetensors} of the module under test.
 *
 * <p>Parameters are stored in axlearn-jvm's layouts (a {@code Linear} weight is {@code [in, out]},
 * the transpose of {@code torch.nn.Linear.weight}); {@link #params()} returns them as the tree a
 * layer's {@code forward} reads. Tensors are float32 unless the script wrote another dtype.
 *
 * <pre>{@code
 * try (NDManager m = TorchGolden.manager()) {
 *     TorchGolden g = TorchGolden.load(MyLayerTest.class, "forward", m);
 *     MyLayer layer = MyLayer.config().inputDim(g.intMeta("inputDim")).instantiate();
 *     NDArray y = layer.forward(ForwardContext.eval(g.params(), m), g.input("x"));
 *     TorchGolden.assertClose(g.output("y"), y, "y");
 * }
 * }</pre>
 *
 * <p>Part of the test kit that {@code axlearn-core}'s test-jar ships ({@code
 * io.axlearn:axlearn-core:<version>:test-jar}); see {@code docs/layers.md}.
 */
public final class TorchGolden {
    private final SafeTensors.Contents contents;
    private final String file;

    private TorchGolden(SafeTensors.Contents contents, String file) {
        this.contents = contents;
        this.file = file;
    }

    /**
     * Loads {@code src/test/resources/golden/<testClass's simple name>/<name>.safetensors},
     * relative to the working directory (the module directory under Maven's surefire), onto {@code
     * manager}.
     *
     * @throws UncheckedIOException naming the file if it is missing or not a safetensors file
     */
    public static TorchGolden load(Class<?> testClass, String name, NDManager manager) {
        return load(
                Goldens.ROOT.resolve(testClass.getSimpleName()).resolve(name + ".safetensors"),
                manager);
    }

    /**
     * Loads the safetensors golden {@code file} onto {@code manager}.
     *
     * @throws UncheckedIOException naming the file if it is missing or not a safetensors file
     */
    public static TorchGolden load(Path file, NDManager manager) {
        try {
            return new TorchGolden(SafeTensors.read(file, manager), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(
                    e.getMessage() + " (regenerate with the matching tools/golden script)", e);
        }
    }

    /** The tensor named {@code name}; fails the test naming the file's tensors if absent. */
    public NDArray get(String name) {
        NDArray a = contents.tensors().get(name);
        if (a == null) {
            fail(file + " has no tensor " + name + "; it has " + contents.tensors().keySet());
        }
        return a;
    }

    /** {@code inputs/<name>}. */
    public NDArray input(String name) {
        return get("inputs/" + name);
    }

    /** {@code outputs/<name>}. */
    public NDArray output(String name) {
        return get("outputs/" + name);
    }

    /** {@code grads/<name>}. */
    public NDArray grad(String name) {
        return get("grads/" + name);
    }

    /** Whether the file has a tensor {@code name}. */
    public boolean has(String name) {
        return contents.tensors().containsKey(name);
    }

    /** Metadata value {@code key} as an int (the scripts write config values as metadata). */
    public int intMeta(String key) {
        return Integer.parseInt(meta(key));
    }

    /** Metadata value {@code key}; fails the test naming the file's keys if absent. */
    public String meta(String key) {
        String v = contents.metadata().get(key);
        if (v == null) {
            fail(file + " has no metadata " + key + "; it has " + contents.metadata().keySet());
        }
        return v;
    }

    /** Every {@code params/...} tensor as a parameter tree (prefix removed). */
    public ParamTree params() {
        SortedMap<String, NDArray> out = new TreeMap<>();
        for (Map.Entry<String, NDArray> e : contents.tensors().entrySet()) {
            if (e.getKey().startsWith("params/")) {
                out.put(e.getKey().substring("params/".length()), e.getValue());
            }
        }
        return ParamTree.of(out);
    }

    /**
     * Asserts same shape and {@code |actual - expected| <= atol + rtol * |expected|} everywhere
     * (NaN only where {@code expected} is NaN), comparing in float32; a failure names {@code what},
     * the worst element's flat index, both values and the tolerances.
     *
     * @param expected the reference, e.g. {@code golden.output("y")}
     * @param actual what the code computed, of any float dtype
     * @param rtol relative tolerance
     * @param atol absolute tolerance
     * @param what the tensor's name in a failure message
     */
    public static void assertAllClose(
            NDArray expected, NDArray actual, double rtol, double atol, String what) {
        assertArrayEquals(
                expected.getShape().getShape(), actual.getShape().getShape(), what + ": shape");
        float[] e = expected.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        float[] a = actual.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        int worst = -1;
        double worstExcess = 0;
        for (int i = 0; i < e.length; i++) {
            double diff = Math.abs((double) a[i] - e[i]);
            double excess = diff - (atol + rtol * Math.abs(e[i]));
            if (Double.isNaN(a[i]) != Double.isNaN(e[i]) || excess > worstExcess) {
                worst = i;
                worstExcess = Double.isNaN(excess) ? Double.POSITIVE_INFINITY : excess;
            }
        }
        if (worst >= 0) {
            fail(
                    String.format(
                            "%s: element %d is %.8g, expected %.8g (rtol %.1g, atol %.1g)",
                            what, worst, a[worst], e[worst], rtol, atol));
        }
    }

    /** {@link #assertAllClose} with the fp32 tolerance of the layer tests (1e-5). */
    public static void assertClose(NDArray expected, NDArray actual, String what) {
        assertAllClose(expected, actual, 1e-5, 1e-5, what);
    }

    /**
     * Starts the PyTorch engine offline (as the library does) and creates a base manager for one
     * test; close it at the end of the test.
     */
    public static NDManager manager() {
        io.axlearn.core.ndarray.Engines.pytorch();
        return NDManager.newBaseManager();
    }
}

package io.axlearn.core.layers;

import static io.axlearn.core.testing.TorchGolden.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.testing.TorchGolden;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SinusoidalPositionEmbeddingTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"paper", "offset"})
    void values_matchTorchGolden(String name) {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(SinusoidalPositionEmbeddingTest.class, name, m);
            SinusoidalPositionEmbedding layer =
                    SinusoidalPositionEmbedding.config()
                            .dim(g.intMeta("dim"))
                            .maxTimescale(Double.parseDouble(g.meta("maxTimescale")))
                            .instantiate();
            assertEquals(Map.of(), layer.paramSpecs(), "no parameters");
            ForwardContext ctx = ForwardContext.eval(ParamTree.of(Map.of()), m);
            int offset = g.intMeta("offset");
            NDArray y = layer.forward(ctx, offset, g.intMeta("length"));
            assertClose(g.output("y"), y, name);
            NDArray x = m.ones(new Shape(2, g.intMeta("length"), g.intMeta("dim")));
            assertClose(
                    g.output("y").add(1).broadcast(x.getShape()),
                    layer.addTo(ctx, x, offset),
                    "added to a batch");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {7, 0})
    void config_rejectsOddOrEmptyDim(int dim) {
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () ->
                                SinusoidalPositionEmbedding.config()
                                        .dim(dim)
                                        .instantiateAt("model.positionEncoding"));
        assertEquals(
                dim == 0
                        ? "model.positionEncoding.dim must be positive, got 0"
                                + " (SinusoidalPositionEmbedding.Config)"
                        : "model.positionEncoding.dim must be even (sin and cos pairs), got 7"
                                + " (SinusoidalPositionEmbedding.Config)",
                e.getMessage());
    }
}

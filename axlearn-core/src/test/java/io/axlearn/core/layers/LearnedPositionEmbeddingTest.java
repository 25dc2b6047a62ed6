package io.axlearn.core.layers;

import static io.axlearn.core.testing.TorchGolden.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.testing.TorchGolden;
import org.junit.jupiter.api.Test;

class LearnedPositionEmbeddingTest {

    private static LearnedPositionEmbedding layer() {
        return LearnedPositionEmbedding.config()
                .dim(4)
                .maxPositions(6)
                .instantiateAt("model.positionEncoding");
    }

    @Test
    void paramSpec_isOneVectorPerPosition() {
        assertEquals(
                "weight: (6, 4) float32 normal(0.0,0.02) fan=in=[0] out=[1] wd=1.0\n",
                layer().paramSpecDump());
    }

    @Test
    void rowsFromTheOffset_areAddedToEveryExample_andGetTheGradients() {
        LearnedPositionEmbedding layer = layer();
        try (NDManager m = TorchGolden.manager()) {
            ParamTree params = layer.initParams(3, m);
            NDArray weight = params.get("weight");
            ForwardContext ctx = ForwardContext.eval(params, m);
            assertClose(weight.get("2:5"), layer.forward(ctx, 2, 3), "rows 2..4");
            NDArray x = m.randomNormal(new Shape(2, 3, 4));
            weight.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = layer.addTo(ctx, x, 3);
                assertClose(x.add(weight.get("3:6")), y, "x + rows 3..5");
                gc.backward(y.sum());
            }
            NDArray expected = m.zeros(new Shape(6, 4));
            expected.set(new ai.djl.ndarray.index.NDIndex("3:6"), 2f);
            assertClose(expected, weight.getGradient(), "each used row gets one 1 per example");
        }
    }

    @Test
    void positionsPastTheLimit_areOneClearError() {
        LearnedPositionEmbedding layer = layer();
        try (NDManager m = TorchGolden.manager()) {
            ForwardContext ctx = ForwardContext.eval(layer.initParams(3, m), m);
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> layer.forward(ctx, 4, 3));
            assertEquals(
                    "model.positionEncoding.maxPositions=6 does not cover positions 4..6 (a"
                            + " sequence of 3 from position 4)",
                    e.getMessage());
        }
        ConfigException missing =
                assertThrows(
                        ConfigException.class,
                        () -> LearnedPositionEmbedding.config().dim(4).instantiateAt("pos"));
        assertEquals(
                "pos.maxPositions is required (LearnedPositionEmbedding.Config)",
                missing.getMessage());
    }
}

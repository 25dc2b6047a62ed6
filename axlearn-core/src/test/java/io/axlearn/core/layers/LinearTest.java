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
import io.axlearn.core.config.MissingRequiredException;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.testing.TorchGolden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LinearTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"bias", "no_bias"})
    void forwardAndGradients_matchTorchGolden(String name) {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(LinearTest.class, name, m);
            Linear layer =
                    Linear.config()
                            .inputDim(g.intMeta("inputDim"))
                            .outputDim(g.intMeta("outputDim"))
                            .bias(Boolean.parseBoolean(g.meta("bias")))
                            .instantiate();
            ParamTree params = g.params();
            assertEquals(layer.paramSpecs().keySet(), params.asMap().keySet());
            NDArray x = g.input("x");
            x.setRequiresGradient(true);
            params.asMap().values().forEach(p -> p.setRequiresGradient(true));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = layer.forward(ForwardContext.eval(params, m), x);
                assertClose(g.output("y"), y, "y");
                gc.backward(y.mul(g.input("dy")).sum());
            }
            assertClose(g.grad("x"), x.getGradient(), "dL/dx");
            params.asMap()
                    .forEach(
                            (path, p) -> assertClose(g.grad(path), p.getGradient(), "dL/d" + path));
        }
    }

    @Test
    void paramSpecs_shapesAndDump() {
        Linear layer = Linear.config().inputDim(3).outputDim(2).instantiate();
        assertEquals(new Shape(3, 2), layer.paramSpecs().get("weight").shape());
        assertEquals(
                "bias: (2) float32 constant(0.0) fan=- wd=0.0\n"
                        + "weight: (3, 2) float32 fan_avg_uniform(1.0) fan=in=[0] out=[1] wd=1.0\n",
                layer.paramSpecDump());
    }

    @Test
    void initParams_isDeterministicAndXavierScaled() {
        Linear layer = Linear.config().inputDim(200).outputDim(300).instantiate();
        try (NDManager m = TorchGolden.manager()) {
            ParamTree a = layer.initParams(7, m);
            ParamTree b = layer.initParams(7, m);
            ParamTree c = layer.initParams(8, m);
            assertEquals(a.get("weight"), b.get("weight"));
            assertEquals(false, a.get("weight").contentEquals(c.get("weight")));
            float bound = (float) Math.sqrt(6.0 / (200 + 300));
            NDArray w = a.get("weight");
            assertEquals(true, w.abs().max().getFloat() <= bound);
            assertEquals(bound / Math.sqrt(3), w.pow(2).mean().sqrt().getFloat(), 0.01 * bound);
            assertEquals(0f, a.get("bias").abs().sum().getFloat());
        }
    }

    @Test
    void config_errorsNamePaths() {
        assertThrows(
                MissingRequiredException.class, () -> Linear.config().inputDim(3).instantiate());
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () -> Linear.config().inputDim(0).outputDim(2).instantiateAt("head.proj"));
        assertEquals("head.proj.inputDim must be positive, got 0 (Linear.Config)", e.getMessage());
    }
}

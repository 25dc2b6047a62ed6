package io.axlearn.core.layers;

import static io.axlearn.core.testing.TorchGolden.assertClose;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.testing.Collect;
import io.axlearn.core.testing.TorchGolden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ActivationTest {

    @ParameterizedTest
    @EnumSource(Activation.class)
    void apply_matchesTorch(Activation activation) {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(ActivationTest.class, "activations", m);
            assertClose(
                    g.output(activation.name()), activation.apply(g.input("x")), activation.name());
        }
    }

    @Test
    void gated_swigluAndGeglu_matchTorch() {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(ActivationTest.class, "activations", m);
            assertClose(
                    g.output("swiglu"),
                    Activation.SILU.gated(g.input("x"), g.input("v")),
                    "swiglu");
            assertClose(
                    g.output("geglu"), Activation.GELU.gated(g.input("x"), g.input("v")), "geglu");
        }
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void gradients_unchangedByGarbageCollectionBeforeBackward(Activation activation) {
        try (NDManager m = TorchGolden.manager()) {
            Collect.assertBackwardUnaffected(m.randomNormal(new Shape(4, 8)), activation::apply);
            Collect.assertBackwardUnaffected(
                    m.randomNormal(new Shape(4, 8)), x -> activation.gated(x, x.sin()));
        }
    }
}

package io.axlearn.core.module;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import io.axlearn.core.attention.StackedTransformer;
import io.axlearn.core.attention.TransformerLayer;
import io.axlearn.core.testing.TorchGolden;
import org.junit.jupiter.api.Test;

class ForwardContextTest {

    private static StackedTransformer stack() {
        TransformerLayer.Config layer = TransformerLayer.config();
        layer.set("selfAttention.numHeads", 2);
        return StackedTransformer.config().inputDim(4).numLayers(2).layer(layer).instantiate();
    }

    @Test
    void childContext_takesNameParamsAndSeedFromTheModule() {
        StackedTransformer stack = stack();
        Module layer1 = stack.children().get("layer1");
        Module attention = layer1.children().get("self_attention");
        Module qProj = attention.children().get("q_proj");
        try (NDManager m = TorchGolden.manager()) {
            ParamTree params = stack.initParams(1, m);
            ForwardContext root = ForwardContext.of(params, m, true, 5);
            ForwardContext q = root.child(layer1).child(attention).child(qProj);
            assertEquals("layer1/self_attention/q_proj", q.path());
            assertSame(params.get("layer1/self_attention/q_proj/weight"), q.param("weight"));
            assertEquals(q.seed(), root.child(layer1).child(attention).child(qProj).seed());
            Module kProj = attention.children().get("k_proj");
            assertNotEquals(q.seed(), root.child(layer1).child(attention).child(kProj).seed());
        }
    }

    @Test
    void foreignOrRootModule_isRefused() {
        StackedTransformer stack = stack();
        Module layer0 = stack.children().get("layer0");
        Module layer1 = stack.children().get("layer1");
        Module otherAttention = layer1.children().get("self_attention");
        try (NDManager m = TorchGolden.manager()) {
            ForwardContext root = ForwardContext.of(stack.initParams(1, m), m, false, 0);
            ForwardContext ctx0 = root.child(layer0);
            IllegalArgumentException foreign =
                    assertThrows(IllegalArgumentException.class, () -> ctx0.child(otherAttention));
            assertEquals(
                    "module layer1/self_attention is a child of layer1, not of layer0 whose"
                            + " context this is",
                    foreign.getMessage());
            IllegalArgumentException grandchild =
                    assertThrows(
                            IllegalArgumentException.class, () -> root.child(layer0).child(layer0));
            assertEquals(
                    "module layer0 is a child of (root StackedTransformer), not of layer0 whose"
                            + " context this is",
                    grandchild.getMessage());
            assertThrows(IllegalArgumentException.class, () -> root.child(stack));
        }
    }
}

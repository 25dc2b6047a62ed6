package io.axlearn.text.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.input.Batch;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.testing.TorchGolden;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CausalLmTest {

    private static Map<String, NDArray> batch(NDManager m, int[] inputs, int[] targets) {
        return Map.of(
                CausalLm.INPUTS, m.create(inputs, new Shape(1, inputs.length)),
                CausalLm.TARGETS, m.create(targets, new Shape(1, targets.length)),
                Batch.WEIGHT, m.create(new float[] {1f}));
    }

    @Test
    void idsOutsideTheVocabulary_nameTheFeatureTheIdAndVocabSize() {
        CausalLm model = CausalLm.gpt(10, 8, 1, 2, 2.0, 0.0).instantiateAt("model");
        try (NDManager m = TorchGolden.manager()) {
            ParamTree params = model.initParams(0, m);
            ForwardContext ctx = ForwardContext.eval(params, m);
            float loss =
                    model.forward(ctx, batch(m, new int[] {0, 9, 3}, new int[] {9, 3, 1}))
                            .loss()
                            .getFloat();
            assertTrue(Float.isFinite(loss), "loss " + loss);
            ConfigException inputs =
                    assertThrows(
                            ConfigException.class,
                            () -> model.forward(ctx, batch(m, new int[] {0, 72, 3}, new int[3])));
            assertEquals(
                    "model.vocabSize is 10, but feature inputs of the batch holds id 72;"
                            + " ids must be in [0, 10)",
                    inputs.getMessage());
            ConfigException targets =
                    assertThrows(
                            ConfigException.class,
                            () -> model.forward(ctx, batch(m, new int[3], new int[] {1, -1, 10})));
            assertEquals(
                    "model.vocabSize is 10, but feature targets of the batch holds id -1;"
                            + " ids must be in [0, 10)",
                    targets.getMessage());
        }
    }
}

package io.axlearn.text.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.module.BaseModel;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.testing.TorchGolden;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CausalLmTest {

    @Test
    void forward_lossIsTokenCrossEntropyOverWeightedExamples() {
        int vocab = 13;
        CausalLm model = CausalLm.gpt(vocab, 16, 1, 2, 2.0, 0.0).instantiate();
        try (NDManager m = TorchGolden.manager()) {
            ParamTree params = model.initParams(3, m);
            int[][] inputs = {{1, 5, 7, 2}, {3, 3, 12, 0}, {4, 8, 9, 10}};
            int[][] targets = {{5, 7, 2, 11}, {3, 12, 0, 6}, {8, 9, 10, 1}};
            float[] weight = {1, 0, 2}; // the second example is padding
            NDArray in = m.create(inputs);
            NDArray tg = m.create(targets);
            ForwardContext ctx = ForwardContext.of(params, m, false, 0);
            BaseModel.Output out =
                    model.forward(
                            ctx,
                            Map.of(
                                    CausalLm.INPUTS,
                                    in,
                                    CausalLm.TARGETS,
                                    tg,
                                    "weight",
                                    m.create(weight)));

            // Reference: log-softmax of the model's own logits, picked and averaged in Java.
            float[] logits =
                    model.logits(ForwardContext.of(params, m, false, 0), in).toFloatArray();
            double nll = 0;
            double hits = 0;
            double total = 0;
            for (int b = 0; b < inputs.length; b++) {
                for (int t = 0; t < inputs[b].length; t++) {
                    int row = (b * inputs[b].length + t) * vocab;
                    double max = Double.NEGATIVE_INFINITY;
                    int argMax = 0;
                    for (int v = 0; v < vocab; v++) {
                        if (logits[row + v] > max) {
                            max = logits[row + v];
                            argMax = v;
                        }
                    }
                    double sum = 0;
                    for (int v = 0; v < vocab; v++) {
                        sum += Math.exp(logits[row + v] - max);
                    }
                    double logProb = logits[row + targets[b][t]] - max - Math.log(sum);
                    nll -= weight[b] * logProb;
                    hits += weight[b] * (argMax == targets[b][t] ? 1 : 0);
                    total += weight[b];
                }
            }
            assertEquals(new Shape(), out.loss().getShape());
            assertEquals(nll / total, out.loss().getFloat(), 1e-5);
            assertEquals(total, out.lossWeight().getFloat(), 0);
            assertEquals(hits / total, out.metrics().get("accuracy").getFloat(), 1e-6);
        }
    }
}

package io.axlearn.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import io.axlearn.core.input.ExampleSource;
import io.axlearn.core.metrics.WeightedScalar;
import io.axlearn.core.module.BaseModel;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.ndarray.Engines;
import io.axlearn.trainer.eval.Evaler;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvalerTest {

    @Test
    void aMetricWithItsOwnWeight_combinesExactly_whateverTheBatchSize() {
        BaseModel model = Regression.model().positiveMae(true).instantiate();
        ExampleSource source = new Regression.Source().size(203).instantiate();
        long positives = 0;
        for (long i = 0; i < source.size(); i++) {
            positives += source.get(i).floats("y")[0] > 0 ? 1 : 0;
        }
        try (NDManager m = Engines.pytorch().newBaseManager()) {
            ParamTree params = model.initParams(5, m);
            Map<String, WeightedScalar> whole = evaluate(model, params, m, 256);
            Map<String, WeightedScalar> batched = evaluate(model, params, m, 6);
            // One batch of all 203 examples, or 34 batches (the last padded): the same means.
            for (String name : whole.keySet()) {
                assertEquals(whole.get(name).mean(), batched.get(name).mean(), 1e-6, name);
                assertEquals(whole.get(name).weight(), batched.get(name).weight(), 1e-9, name);
            }
            assertEquals(positives, batched.get("mae_positive").weight(), 1e-9);
            assertEquals(203, batched.get("mae").weight(), 1e-9);
        }
    }

    private static Map<String, WeightedScalar> evaluate(
            BaseModel model, ParamTree params, NDManager m, int batchSize) {
        Evaler.Config cfg =
                Evaler.config()
                        .input(
                                Regression.input(batchSize)
                                        .source(new Regression.Source().size(203)));
        return cfg.instantiate().evaluate(model, params, m);
    }
}

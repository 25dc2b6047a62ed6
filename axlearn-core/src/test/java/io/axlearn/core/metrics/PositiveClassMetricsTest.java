package io.axlearn.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.ndarray.Engines;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PositiveClassMetricsTest {

    @Test
    void batchValuesCombinedWithTheirWeights_equalTheCountsOverTheWholeSet() {
        Engines.pytorch();
        Random rnd = new Random(7);
        int classes = 3;
        int positive = 2;
        double tp = 0;
        double fp = 0;
        double fn = 0;
        Map<String, WeightedScalar> combined = new LinkedHashMap<>();
        try (NDManager m = NDManager.newBaseManager()) {
            for (int size : new int[] {5, 17, 1, 9}) {
                float[] logits = new float[size * classes];
                int[] labels = new int[size];
                float[] weights = new float[size];
                for (int i = 0; i < size; i++) {
                    for (int c = 0; c < classes; c++) {
                        logits[i * classes + c] = (float) rnd.nextGaussian();
                    }
                    labels[i] = rnd.nextInt(classes);
                    weights[i] = rnd.nextInt(4) == 0 ? 0 : 1; // some padding rows
                    int argMax = 0;
                    for (int c = 1; c < classes; c++) {
                        if (logits[i * classes + c] > logits[i * classes + argMax]) {
                            argMax = c;
                        }
                    }
                    boolean predicted = argMax == positive;
                    boolean actual = labels[i] == positive;
                    tp += predicted && actual ? weights[i] : 0;
                    fp += predicted && !actual ? weights[i] : 0;
                    fn += !predicted && actual ? weights[i] : 0;
                }
                PositiveClassMetrics pm =
                        PositiveClassMetrics.of(
                                m.create(logits, new Shape(size, classes)),
                                m.create(labels),
                                m.create(weights),
                                positive);
                for (String name : pm.metrics().keySet()) {
                    NDArray value = pm.metrics().get(name);
                    WeightedScalar batch =
                            new WeightedScalar(value.getFloat(), pm.weights().get(name).getFloat());
                    combined.merge(name, batch, WeightedScalar::plus);
                }
            }
        }
        assertEquals(tp / (tp + fp), combined.get("precision").mean(), 1e-6);
        assertEquals(tp + fp, combined.get("precision").weight(), 1e-6);
        assertEquals(tp / (tp + fn), combined.get("recall").mean(), 1e-6);
        assertEquals(2 * tp / (2 * tp + fp + fn), combined.get("f1").mean(), 1e-6);
        double p = tp / (tp + fp);
        double r = tp / (tp + fn);
        assertEquals(2 * p * r / (p + r), combined.get("f1").mean(), 1e-6);
    }

    @Test
    void aBatchWithoutPositives_hasWeightZero_andValueZero() {
        Engines.pytorch();
        try (NDManager m = NDManager.newBaseManager()) {
            PositiveClassMetrics pm =
                    PositiveClassMetrics.of(
                            m.create(new float[] {2, 1, 3, 0}, new Shape(2, 2)),
                            m.create(new int[] {0, 0}),
                            m.create(new float[] {1, 1}),
                            1);
            for (String name : pm.metrics().keySet()) {
                assertEquals(0f, pm.metrics().get(name).getFloat(), name);
                assertEquals(0f, pm.weights().get(name).getFloat(), name);
            }
        }
    }
}

package io.axlearn.trainer.launch;

import io.axlearn.core.config.ConfigBase;
import io.axlearn.core.config.ConfigTypeProvider;
import io.axlearn.core.config.InstantiableConfig;
import io.axlearn.core.config.Required;
import io.axlearn.core.config.StepPolicy;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Named experiments that the launch tests register through {@code ServiceLoader} (the real ones
 * live in the examples module).
 */
public final class DemoExperiments implements ExperimentProvider {

    /** A small experiment-like config: scalars, a list and a child function config. */
    public static final class Demo extends InstantiableConfig<Demo, String> {
        /** Number of layers. */
        @Required Integer numLayers;

        /** Model width. */
        int modelDim = 64;

        /** Learning rate. */
        double learningRate = 1e-3;

        /** Where the data lives. */
        String dataPath = "data/train.txt";

        /** Evaluation interval. */
        StepPolicy.EveryNSteps evalPolicy = StepPolicy.everyNSteps(100);

        /** Per-stage widths. */
        List<Integer> stages = List.of(1, 2);

        Demo numLayers(int v) {
            return set(() -> numLayers = v);
        }

        Demo modelDim(int v) {
            return set(() -> modelDim = v);
        }

        @Override
        protected String create() {
            return "demo " + numLayers + "x" + modelDim;
        }
    }

    /** Registers {@link Demo}'s {@code @type} name. */
    public static final class Types implements ConfigTypeProvider {
        @Override
        public Map<String, Class<? extends ConfigBase<?>>> configTypes() {
            return Map.of("test/Demo", Demo.class);
        }
    }

    @Override
    public String module() {
        return "test.demo";
    }

    @Override
    public Map<String, Supplier<? extends ConfigBase<?>>> experiments() {
        return Map.of(
                "small", () -> new Demo().numLayers(2),
                "large", () -> new Demo().numLayers(24).modelDim(1024));
    }
}

package io.axlearn.core.config;

import io.axlearn.core.init.Initializer;
import io.axlearn.core.init.ParamInit;
import io.axlearn.core.input.Input;
import io.axlearn.core.layers.Dropout;
import io.axlearn.core.layers.LayerNorm;
import io.axlearn.core.layers.Linear;
import io.axlearn.core.layers.RmsNorm;
import java.util.Map;

/** The {@code @type} names of {@code axlearn-core}'s config classes. */
public final class CoreConfigTypes implements ConfigTypeProvider {

    @Override
    public Map<String, Class<? extends ConfigBase<?>>> configTypes() {
        return Map.ofEntries(
                Map.entry("core/EveryNSteps", StepPolicy.EveryNSteps.class),
                Map.entry("core/ConstantInit", Initializer.Constant.class),
                Map.entry("core/NormalInit", Initializer.Normal.class),
                Map.entry("core/TruncatedNormalInit", Initializer.TruncatedNormal.class),
                Map.entry("core/UniformInit", Initializer.Uniform.class),
                Map.entry("core/FanScaledInit", Initializer.FanScaled.class),
                Map.entry("core/ParamInit", ParamInit.class),
                Map.entry("core/Linear", Linear.Config.class),
                Map.entry("core/Embedding", io.axlearn.core.layers.Embedding.Config.class),
                Map.entry("core/LayerNorm", LayerNorm.Config.class),
                Map.entry("core/RmsNorm", RmsNorm.Config.class),
                Map.entry("core/Dropout", Dropout.Config.class),
                Map.entry("core/Conv1d", io.axlearn.core.layers.Conv1d.Config.class),
                Map.entry("core/Conv2d", io.axlearn.core.layers.Conv2d.Config.class),
                Map.entry("core/Pool2d", io.axlearn.core.layers.Pool2d.Config.class),
                Map.entry("core/BatchNorm", io.axlearn.core.layers.BatchNorm.Config.class),
                Map.entry("core/GroupNorm", io.axlearn.core.layers.GroupNorm.Config.class),
                Map.entry(
                        "core/StochasticDepth",
                        io.axlearn.core.layers.StochasticDepth.Config.class),
                Map.entry("core/Input", Input.Config.class));
    }
}

package io.axlearn.core.config;

import io.axlearn.core.init.Initializer;
import io.axlearn.core.init.ParamInit;
import io.axlearn.core.input.ConcatSource;
import io.axlearn.core.input.Input;
import java.util.Map;

/**
 * The {@code @type} names of {@code axlearn-core}'s config, init and input classes. Layers and
 * attention register theirs in their own packages ({@link
 * io.axlearn.core.layers.LayersConfigTypes}, {@link
 * io.axlearn.core.attention.AttentionConfigTypes}).
 */
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
                Map.entry("core/Input", Input.Config.class),
                Map.entry("core/ConcatSource", ConcatSource.class));
    }
}

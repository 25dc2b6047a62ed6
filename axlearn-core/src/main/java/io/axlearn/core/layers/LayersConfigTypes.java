package io.axlearn.core.layers;

import io.axlearn.core.config.ConfigBase;
import io.axlearn.core.config.ConfigTypeProvider;
import java.util.Map;

/**
 * The {@code @type} names of this package's config classes, found through {@link
 * java.util.ServiceLoader} (listed in {@code
 * META-INF/services/io.axlearn.core.config.ConfigTypeProvider}). {@link ConvPadding} is not here:
 * it is a value (a record), named inside a config by its own {@code @type} ({@code "same"}, {@code
 * "valid"}, {@code "causal"}, {@code "explicit"}).
 */
public final class LayersConfigTypes implements ConfigTypeProvider {

    @Override
    public Map<String, Class<? extends ConfigBase<?>>> configTypes() {
        return Map.ofEntries(
                Map.entry("core/Linear", Linear.Config.class),
                Map.entry("core/Embedding", Embedding.Config.class),
                Map.entry("core/LayerNorm", LayerNorm.Config.class),
                Map.entry("core/RmsNorm", RmsNorm.Config.class),
                Map.entry("core/BatchNorm", BatchNorm.Config.class),
                Map.entry("core/GroupNorm", GroupNorm.Config.class),
                Map.entry("core/Dropout", Dropout.Config.class),
                Map.entry("core/StochasticDepth", StochasticDepth.Config.class),
                Map.entry("core/Conv1d", Conv1d.Config.class),
                Map.entry("core/Conv2d", Conv2d.Config.class),
                Map.entry("core/Pool2d", Pool2d.Config.class),
                Map.entry("core/LearnedPositionEmbedding", LearnedPositionEmbedding.Config.class),
                Map.entry(
                        "core/SinusoidalPositionEmbedding",
                        SinusoidalPositionEmbedding.Config.class));
    }
}

package io.axlearn.core.attention;

import io.axlearn.core.config.ConfigBase;
import io.axlearn.core.config.ConfigTypeProvider;
import java.util.Map;

/**
 * The {@code @type} names of this package's config classes, found through {@link
 * java.util.ServiceLoader} (listed in {@code
 * META-INF/services/io.axlearn.core.config.ConfigTypeProvider}).
 */
public final class AttentionConfigTypes implements ConfigTypeProvider {

    @Override
    public Map<String, Class<? extends ConfigBase<?>>> configTypes() {
        return Map.of(
                "core/MultiheadAttention", MultiheadAttention.Config.class,
                "core/FeedForward", FeedForward.Config.class,
                "core/TransformerLayer", TransformerLayer.Config.class,
                "core/StackedTransformer", StackedTransformer.Config.class,
                "core/RotaryEmbedding", RotaryEmbedding.Config.class);
    }
}

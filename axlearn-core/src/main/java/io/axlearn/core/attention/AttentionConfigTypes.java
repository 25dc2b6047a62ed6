package io.axlearn.core.attention;

import io.axlearn.core.config.ConfigBase;
import io.axlearn.core.config.ConfigTypeProvider;
import java.util.Map;

/**
 * The {@code @type} names of this package's config classes, found through {@link
 * java.util.ServiceLoader} (listed in {@code
 * META-INF/services/io.axlearn.core.config.ConfigTypeProvider}).
 *
 * <p>{@link io.axlearn.core.config.CoreConfigTypes} registers the same four names for the same
 * classes (it predates this provider); registering a name twice for one class is accepted, so
 * either list may be dropped without changing what files can name.
 */
public final class AttentionConfigTypes implements ConfigTypeProvider {

    @Override
    public Map<String, Class<? extends ConfigBase<?>>> configTypes() {
        return Map.of(
                "core/MultiheadAttention", MultiheadAttention.Config.class,
                "core/FeedForward", FeedForward.Config.class,
                "core/TransformerLayer", TransformerLayer.Config.class,
                "core/StackedTransformer", StackedTransformer.Config.class);
    }
}

package io.axlearn.core.losses;

import io.axlearn.core.config.ConfigBase;
import io.axlearn.core.config.ConfigTypeProvider;
import java.util.Map;

/**
 * The {@code @type} names of this package's config classes, found through {@link
 * java.util.ServiceLoader} (listed in {@code
 * META-INF/services/io.axlearn.core.config.ConfigTypeProvider}).
 */
public final class LossesConfigTypes implements ConfigTypeProvider {

    @Override
    public Map<String, Class<? extends ConfigBase<?>>> configTypes() {
        return Map.of(
                "core/CrossEntropy", CrossEntropy.Config.class,
                "core/SigmoidCrossEntropy", SigmoidCrossEntropy.Config.class);
    }
}

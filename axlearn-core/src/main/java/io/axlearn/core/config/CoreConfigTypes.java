package io.axlearn.core.config;

import java.util.Map;

/** The {@code @type} names of {@code axlearn-core}'s config classes. */
public final class CoreConfigTypes implements ConfigTypeProvider {

    @Override
    public Map<String, Class<? extends ConfigBase<?>>> configTypes() {
        return Map.of("core/EveryNSteps", StepPolicy.EveryNSteps.class);
    }
}

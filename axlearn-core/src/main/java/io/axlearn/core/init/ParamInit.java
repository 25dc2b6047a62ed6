package io.axlearn.core.init;

import io.axlearn.core.config.ConfigBase;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Chooses the initialiser of a parameter that does not name its own, by the parameter's name
 * (axlearn's {@code DefaultInitializer}): the first pattern in {@link #byName} that matches the
 * whole name wins, else {@link #fallback}.
 *
 * <p>Defaults: {@code weight} and {@code .*_weight} get Xavier uniform (fan-average), {@code bias}
 * zeros, {@code scale} ones. Set it on the root layer to change every descendant that has none of
 * its own: {@code model.paramInit(new ParamInit().rule("weight", Initializer.normal(0.02)))}.
 */
public final class ParamInit extends ConfigBase<ParamInit> {
    /** Regular expression over the parameter name to initialiser, tried in insertion order. */
    private Map<String, Initializer.Config<?>> byName = defaults();

    /** Initialiser for names that match no pattern. */
    private Initializer.Config<?> fallback = Initializer.xavierUniform();

    private static Map<String, Initializer.Config<?>> defaults() {
        Map<String, Initializer.Config<?>> m = new LinkedHashMap<>();
        m.put("(.*_)?weight", Initializer.xavierUniform());
        m.put("(.*_)?bias", Initializer.constant(0));
        m.put("(.*_)?scale", Initializer.constant(1));
        return m;
    }

    /** Puts a rule in front of the existing ones: names matching {@code regex} use {@code init}. */
    public ParamInit rule(String regex, Initializer.Config<?> init) {
        return set(
                () -> {
                    Map<String, Initializer.Config<?>> m = new LinkedHashMap<>();
                    m.put(regex, init.copy());
                    byName.forEach(m::putIfAbsent);
                    byName = m;
                });
    }

    /** Sets the initialiser for names no rule matches. */
    public ParamInit fallback(Initializer.Config<?> init) {
        return set(() -> fallback = init.copy());
    }

    /** The initialiser config for a parameter named {@code name}. */
    public Initializer.Config<?> forName(String name) {
        for (Map.Entry<String, Initializer.Config<?>> e : byName.entrySet()) {
            if (Pattern.matches(e.getKey(), name)) {
                return e.getValue();
            }
        }
        return fallback;
    }
}

package io.axlearn.core.config;

import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The allow-list of config classes that JSON and YAML may name with {@code @type}.
 *
 * <p>Filled from every {@link ConfigTypeProvider} on the class path the first time it is used;
 * {@link #register} adds more at run time (user code that does not ship a service file). A name
 * maps to exactly one class and a class to exactly one name.
 */
public final class ConfigTypes {
    private static final Map<String, Class<?>> BY_NAME = new ConcurrentHashMap<>();
    private static final Map<Class<?>, String> BY_CLASS = new ConcurrentHashMap<>();
    private static volatile boolean loaded;

    private ConfigTypes() {}

    /**
     * Registers {@code type} under {@code name}. Registering the same pair twice is allowed.
     *
     * @throws ConfigException if the name or the class is already registered differently
     */
    public static synchronized void register(String name, Class<? extends ConfigBase<?>> type) {
        ensureLoaded();
        put(name, type);
    }

    private static void put(String name, Class<?> type) {
        if (name == null || name.isBlank() || name.chars().anyMatch(Character::isWhitespace)) {
            throw new ConfigException(
                    "invalid config type name '" + name + "' for " + type.getName());
        }
        Class<?> existing = BY_NAME.get(name);
        if (existing != null && existing != type) {
            throw new ConfigException(
                    "config type name "
                            + name
                            + " is registered for both "
                            + existing.getName()
                            + " and "
                            + type.getName());
        }
        String existingName = BY_CLASS.get(type);
        if (existingName != null && !existingName.equals(name)) {
            throw new ConfigException(
                    "config class "
                            + type.getName()
                            + " is registered as both "
                            + existingName
                            + " and "
                            + name);
        }
        BY_NAME.put(name, type);
        BY_CLASS.put(type, name);
    }

    private static void ensureLoaded() {
        if (loaded) {
            return;
        }
        synchronized (ConfigTypes.class) {
            if (loaded) {
                return;
            }
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            if (loader == null) {
                loader = ConfigTypes.class.getClassLoader();
            }
            for (ConfigTypeProvider provider :
                    ServiceLoader.load(ConfigTypeProvider.class, loader)) {
                provider.configTypes().forEach(ConfigTypes::put);
            }
            loaded = true;
        }
    }

    /** The registered name of a config class, if any. */
    public static Optional<String> nameOf(Class<?> type) {
        ensureLoaded();
        return Optional.ofNullable(BY_CLASS.get(type));
    }

    /**
     * The config class registered under {@code name}.
     *
     * @throws ConfigException naming the nearest registered names if none is registered
     */
    public static Class<?> classOf(String name) {
        ensureLoaded();
        Class<?> type = BY_NAME.get(name);
        if (type == null) {
            var near = Similarity.nearest(name, BY_NAME.keySet());
            throw new ConfigException(
                    "unknown config type '"
                            + name
                            + "'"
                            + (near.isEmpty()
                                    ? "; registered types: " + String.join(", ", all().keySet())
                                    : "; did you mean " + String.join(" or ", near) + "?"));
        }
        return type;
    }

    /** Every registered name with its class, sorted by name. */
    public static SortedMap<String, Class<?>> all() {
        ensureLoaded();
        return new TreeMap<>(BY_NAME);
    }

    /** The name to show for a config class: its registered name, else its Java name. */
    static String displayName(Class<?> type) {
        return nameOf(type).orElse(type.getName());
    }
}

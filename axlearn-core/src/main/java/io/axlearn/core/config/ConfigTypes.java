package io.axlearn.core.config;

import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The allow-list of config classes that JSON and YAML may name with {@code @type}.
 *
 * <p>Two kinds of names:
 *
 * <ul>
 *   <li><b>Registered</b> short names ({@code core/Linear}): from every {@link ConfigTypeProvider}
 *       on the class path, loaded the first time the registry is used, and from {@link #register}.
 *       A registered name maps to exactly one class and a class to exactly one registered name.
 *   <li><b>Names by use</b>: a config class that code creates (any {@code new MyLayer.Config()},
 *       directly or through a factory) and that has no registered name is named after its canonical
 *       Java name ({@code com.example.MyLayer.Config}) from then on, so user code can dump, write
 *       and read back its own configs without registering them. Local and anonymous classes have no
 *       canonical name and get none.
 * </ul>
 *
 * <p>Reading ({@link #classOf}) resolves only these two kinds: input never makes the program load a
 * class by name. A file naming a user class that no code in this process has created yet is
 * refused; register the class (a {@link ConfigTypeProvider}) to read such files in a fresh process.
 */
public final class ConfigTypes {
    private static final Map<String, Class<?>> BY_NAME = new ConcurrentHashMap<>();
    private static final Map<Class<?>, String> BY_CLASS = new ConcurrentHashMap<>();
    private static final Map<String, Class<?>> USED_BY_NAME = new ConcurrentHashMap<>();
    private static final Map<Class<?>, String> USED_BY_CLASS = new ConcurrentHashMap<>();
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

    /**
     * Records that code created an instance of {@code type}, which names the class by use if it has
     * a canonical name. Called by every {@link ConfigBase} constructor, so it is cheap and never
     * loads the providers.
     */
    static void noteCreated(Class<?> type) {
        if (USED_BY_CLASS.containsKey(type)) {
            return;
        }
        String name = nameByUse(type);
        if (name != null && USED_BY_NAME.putIfAbsent(name, type) == null) {
            USED_BY_CLASS.put(type, name);
        }
    }

    /**
     * The name a class gets by use: its canonical name; none for local, anonymous and inner
     * (non-static member) classes, which a config cannot be (they need an enclosing instance).
     */
    private static String nameByUse(Class<?> type) {
        boolean inner = type.isMemberClass() && !Modifier.isStatic(type.getModifiers());
        return inner ? null : type.getCanonicalName();
    }

    /**
     * The {@code @type} name of a config class: its registered name, else its name by use (if code
     * has created one), else none.
     */
    public static Optional<String> nameOf(Class<?> type) {
        ensureLoaded();
        String name = BY_CLASS.get(type);
        return Optional.ofNullable(name != null ? name : USED_BY_CLASS.get(type));
    }

    /**
     * The config class registered under {@code name}, or named so by use in this process.
     *
     * @throws ConfigException naming the nearest registered names if there is none
     */
    public static Class<?> classOf(String name) {
        ensureLoaded();
        Class<?> type = BY_NAME.get(name);
        if (type == null) {
            type = USED_BY_NAME.get(name);
        }
        if (type == null) {
            var near = Similarity.nearest(name, BY_NAME.keySet());
            throw new ConfigException(
                    "unknown config type '"
                            + name
                            + "'"
                            + (near.isEmpty()
                                    ? "; registered types: " + String.join(", ", all().keySet())
                                    : "; did you mean " + String.join(" or ", near) + "?")
                            + (name.contains(".") && !name.contains("/")
                                    ? " (a config class without a registered name is known only"
                                            + " once code in this process has created one;"
                                            + " register it with a ConfigTypeProvider to read it"
                                            + " from a file)"
                                    : ""));
        }
        return type;
    }

    /**
     * Every registered name with its class, sorted by name (names by use are not listed: they
     * depend on what the process has run).
     */
    public static SortedMap<String, Class<?>> all() {
        ensureLoaded();
        return new TreeMap<>(BY_NAME);
    }

    /** The name to show for a config class: its {@code @type} name, else its Java name. */
    static String displayName(Class<?> type) {
        return nameOf(type).orElse(type.getName());
    }
}

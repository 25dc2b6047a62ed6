package io.axlearn.core.config;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The fields of one config class, found once by reflection and cached: every non-static,
 * non-transient field declared on the class or its config superclasses, sorted by name.
 *
 * <p>A subclass may not redeclare a superclass field (it sets a different default in its
 * constructor instead), so each name is unique in the schema.
 */
final class ConfigSchema {
    private static final Map<Class<?>, ConfigSchema> CACHE = new ConcurrentHashMap<>();

    private final Class<?> type;
    private final Constructor<?> constructor;
    private final Map<String, ConfigField> fields;

    /** One config field: its name, reflective handle, declared type and whether it is required. */
    record ConfigField(String name, Field field, Type genericType, boolean required) {
        Object get(Object config) {
            try {
                return field.get(config);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }

        void set(Object config, Object value) {
            try {
                field.set(config, value);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }

        Class<?> rawType() {
            return field.getType();
        }
    }

    private ConfigSchema(Class<?> type) {
        this.type = type;
        if (Modifier.isAbstract(type.getModifiers())) {
            this.constructor = null;
        } else {
            try {
                this.constructor = type.getDeclaredConstructor();
                this.constructor.setAccessible(true);
            } catch (NoSuchMethodException e) {
                throw new ConfigException(
                        "config class "
                                + type.getName()
                                + " needs a constructor without arguments");
            }
        }
        List<ConfigField> found = new ArrayList<>();
        Map<String, Class<?>> owners = new LinkedHashMap<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                int mods = f.getModifiers();
                if (Modifier.isStatic(mods) || Modifier.isTransient(mods) || f.isSynthetic()) {
                    continue;
                }
                if (f.getType().isArray()) {
                    throw new ConfigException(
                            "config field "
                                    + c.getName()
                                    + "."
                                    + f.getName()
                                    + " is an array; use a List so the config can be copied and"
                                    + " frozen");
                }
                Class<?> previous = owners.putIfAbsent(f.getName(), c);
                if (previous != null) {
                    throw new ConfigException(
                            "config field "
                                    + f.getName()
                                    + " is declared in both "
                                    + previous.getName()
                                    + " and "
                                    + c.getName()
                                    + "; set the default in the subclass constructor instead");
                }
                f.setAccessible(true);
                found.add(
                        new ConfigField(
                                f.getName(),
                                f,
                                f.getGenericType(),
                                f.isAnnotationPresent(Required.class)));
            }
        }
        found.sort(Comparator.comparing(ConfigField::name));
        Map<String, ConfigField> byName = new LinkedHashMap<>();
        for (ConfigField f : found) {
            byName.put(f.name(), f);
        }
        this.fields = Collections.unmodifiableMap(byName);
    }

    static ConfigSchema of(Class<?> type) {
        return CACHE.computeIfAbsent(type, ConfigSchema::new);
    }

    /** Fields by name, in sorted order. */
    Map<String, ConfigField> fields() {
        return fields;
    }

    ConfigField field(String name) {
        return fields.get(name);
    }

    /** A new instance with the class's own defaults. */
    Object newInstance() {
        if (constructor == null) {
            throw new ConfigException(
                    "config class " + type.getName() + " is abstract and cannot be created");
        }
        try {
            return constructor.newInstance();
        } catch (InvocationTargetException e) {
            throw new ConfigException(
                    "creating " + type.getName() + " failed: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Short human name of a config class: {@code Linear.Config} rather than the binary name. */
    static String displayName(Class<?> type) {
        Class<?> outer = type.getEnclosingClass();
        return outer == null
                ? type.getSimpleName()
                : outer.getSimpleName() + "." + type.getSimpleName();
    }
}

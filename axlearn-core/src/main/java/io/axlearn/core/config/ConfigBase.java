package io.axlearn.core.config;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonTypeIdResolver;
import io.axlearn.core.config.ConfigPath.Segment;
import io.axlearn.core.config.ConfigSchema.ConfigField;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Base of every config: a tree of named fields that is mutable while it is being composed and
 * deep-frozen when it is instantiated.
 *
 * <p>Subclasses declare fields (boxed and {@link Required} when there is no sensible default) and
 * fluent setters written as {@code return set(() -> field = v);}. A setter that takes a child
 * config stores {@code v.copy()}: configs are held by value, so one shared sub-config can never be
 * changed through two parents.
 *
 * <pre>{@code
 * public static final class Config extends InstantiableConfig<Config, Linear> {
 *   @Required private Integer inputDim;    // Input feature dimension.
 *   private boolean bias = true;           // Whether to add a bias.
 *   public Config inputDim(int v) { return set(() -> inputDim = v); }
 *   ...
 * }
 * }</pre>
 *
 * <p>Every config can also be read and written by dotted path ({@link #get(String)}, {@link
 * #set(String, Object)}), flattened ({@link #toFlatMap()}), printed as a sorted {@code path: value}
 * dump ({@link #toString()}) and round-tripped through JSON/YAML ({@link ConfigJson}). Configs
 * compare by value. Supported field types: primitives and their boxes, {@code String}, enums,
 * records (immutable leaves), child configs, {@code List} and {@code Map<String, ?>} of these.
 *
 * @param <S> the concrete config type, returned by fluent setters
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.CUSTOM, include = JsonTypeInfo.As.PROPERTY, property = "@type")
@JsonTypeIdResolver(ConfigTypeIdResolver.class)
public abstract class ConfigBase<S extends ConfigBase<S>> {
    /** Set by {@link #freeze}; a frozen config refuses every change. */
    private transient boolean frozen;

    /** Dotted path of this node in the tree it was frozen in; used in error messages. */
    private transient String path = "";

    /**
     * Creates a config with its class's defaults and gives the class its {@code @type} name by use
     * if it has no registered one (see {@link ConfigTypes}).
     */
    protected ConfigBase() {
        ConfigTypes.noteCreated(getClass());
    }

    /** Returns this config typed as its concrete class. */
    @SuppressWarnings("unchecked") // S is this class by the contract of the self type.
    protected final S self() {
        return (S) this;
    }

    /**
     * Runs {@code write} (which assigns a field) if this config is still mutable, and returns this
     * config for chaining.
     *
     * @throws FrozenConfigException if the config is frozen
     */
    protected final S set(Runnable write) {
        checkMutable();
        write.run();
        return self();
    }

    private void checkMutable() {
        if (frozen) {
            throw new FrozenConfigException(path, getClass());
        }
    }

    /** Whether this config has been frozen by {@code instantiate()}. */
    public final boolean isFrozen() {
        return frozen;
    }

    /** Dotted path of this node in the tree it was frozen in; empty for a root or unfrozen node. */
    public final String path() {
        return path;
    }

    /** A deep, mutable copy: child configs, lists and maps are copied too. */
    @SuppressWarnings("unchecked") // the schema creates an instance of this very class.
    public final S copy() {
        ConfigSchema schema = ConfigSchema.of(getClass());
        S out = (S) schema.newInstance();
        for (ConfigField f : schema.fields().values()) {
            f.set(out, deepCopy(f.get(this)));
        }
        return out;
    }

    private static Object deepCopy(Object v) {
        if (v instanceof ConfigBase<?> c) {
            return c.copy();
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            l.forEach(x -> out.add(deepCopy(x)));
            return out;
        }
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(k, deepCopy(x)));
            return out;
        }
        return v;
    }

    /**
     * Freezes this config and everything under it, recording each node's dotted path (rooted at
     * {@code rootPath}) for error messages. Lists and maps become unmodifiable.
     */
    final void freeze(String rootPath) {
        this.path = rootPath;
        for (ConfigField f : ConfigSchema.of(getClass()).fields().values()) {
            f.set(this, frozenValue(f.get(this), ConfigPath.child(rootPath, f.name())));
        }
        this.frozen = true;
    }

    private static Object frozenValue(Object v, String path) {
        if (v instanceof ConfigBase<?> c) {
            c.freeze(path);
            return c;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (int i = 0; i < l.size(); i++) {
                out.add(frozenValue(l.get(i), ConfigPath.item(path, i)));
            }
            return Collections.unmodifiableList(out);
        }
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(k, frozenValue(x, ConfigPath.item(path, k))));
            return Collections.unmodifiableMap(out);
        }
        return v;
    }

    /**
     * The dotted paths of {@link Required} fields that are unset, rooted at {@code rootPath}.
     *
     * <p>Looks into child configs that are plain data (not {@link InstantiableConfig}): an
     * instantiable child is checked when its owner instantiates it, after writing the dims it owns
     * into it.
     */
    final List<MissingRequiredException.Missing> missingRequired(String rootPath) {
        List<MissingRequiredException.Missing> missing = new ArrayList<>();
        for (ConfigField f : ConfigSchema.of(getClass()).fields().values()) {
            Object v = f.get(this);
            String p = ConfigPath.child(rootPath, f.name());
            if (v == null && f.required()) {
                missing.add(new MissingRequiredException.Missing(p, getClass()));
            } else {
                collectMissingInData(v, p, missing);
            }
        }
        return missing;
    }

    private static void collectMissingInData(
            Object v, String p, List<MissingRequiredException.Missing> missing) {
        if (v instanceof ConfigBase<?> c && !(v instanceof InstantiableConfig<?, ?>)) {
            missing.addAll(c.missingRequired(p));
        } else if (v instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                collectMissingInData(l.get(i), ConfigPath.item(p, i), missing);
            }
        } else if (v instanceof Map<?, ?> m) {
            m.forEach((k, x) -> collectMissingInData(x, ConfigPath.item(p, k), missing));
        }
    }

    /**
     * Throws {@link MissingRequiredException} naming every unset required field under this node.
     */
    public final void checkRequired() {
        List<MissingRequiredException.Missing> missing = missingRequired(path);
        if (!missing.isEmpty()) {
            throw new MissingRequiredException(missing, getClass());
        }
    }

    /**
     * An error about {@code field} of this config that names its full dotted path, for validation
     * in {@link InstantiableConfig#validate()} and constructors: {@code throw invalid("hiddenDim",
     * "must be positive, got " + hiddenDim);}.
     */
    protected final ConfigException invalid(String field, String problem) {
        return new ConfigException(
                ConfigPath.child(path, field)
                        + " "
                        + problem
                        + " ("
                        + ConfigSchema.displayName(getClass())
                        + ")");
    }

    /**
     * The {@code @type} name of this config's class (registered, else its canonical name), else its
     * Java class name.
     */
    public final String typeName() {
        return ConfigTypes.displayName(getClass());
    }

    /** The names of this config's fields, sorted. */
    public final List<String> fieldNames() {
        return List.copyOf(ConfigSchema.of(getClass()).fields().keySet());
    }

    // ---------------------------------------------------------------- dotted paths

    /**
     * The value at a dotted path ({@code "decoder.layers[0].dim"}, {@code "evalers[val]"}, {@code
     * "norm.@type"}).
     *
     * @throws UnknownFieldException naming the nearest fields if the path does not exist
     */
    public final Object get(String dottedPath) {
        ConfigPath p = ConfigPath.parse(dottedPath);
        Object cur = this;
        String at = "";
        for (Segment s : p.segments()) {
            cur = step(cur, s, at);
            at = append(at, s);
        }
        return cur;
    }

    private static Object step(Object cur, Segment s, String at) {
        String here = append(at, s);
        if (cur instanceof ConfigBase<?> c && s instanceof ConfigPath.Field f) {
            if (f.name().equals(ConfigPath.TYPE_FIELD)) {
                return c.typeName();
            }
            return c.fieldOrThrow(f.name(), at).get(c);
        }
        if (cur instanceof List<?> l && s instanceof ConfigPath.Item item) {
            return l.get(index(item, l.size(), here));
        }
        if (cur instanceof Map<?, ?> m && s instanceof ConfigPath.Item item) {
            if (!m.containsKey(item.key())) {
                throw unknownKey(here, item.key(), m);
            }
            return m.get(item.key());
        }
        if (cur instanceof Record r && s instanceof ConfigPath.Field f) {
            return recordValue(r, component(r.getClass(), f.name(), at));
        }
        throw notNavigable(cur, s, at);
    }

    /**
     * Sets the value at a dotted path, converting it to the field's declared type.
     *
     * <p>{@code value} may be a Java value of the field's type, a {@link JsonNode} (as parsed from
     * the command line by {@link ConfigValues#parse}), or a config. For a child-config field, a
     * JSON object with {@code "@type"} replaces the child with a new config of that registered
     * type; a JSON object without it sets the named fields of the existing child. Setting {@code
     * x.@type} to a registered name replaces {@code x} with a default config of that type. List
     * items and map entries are addressed with {@code [i]} and {@code [key]}; a new map entry may
     * be added, list indices must exist.
     *
     * @throws UnknownFieldException if a segment does not exist (naming the nearest fields)
     * @throws ConfigTypeException if the value does not fit the declared type
     * @throws FrozenConfigException if a config on the path is frozen
     */
    public final S set(String dottedPath, Object value) {
        ConfigPath p = ConfigPath.parse(dottedPath);
        List<Segment> segs = p.segments();
        if (segs.size() == 1
                && segs.get(0) instanceof ConfigPath.Field f
                && f.name().equals(ConfigPath.TYPE_FIELD)) {
            throw new ConfigException("cannot change the @type of the root config");
        }
        assign(this, getClass(), segs, 0, value, "");
        return self();
    }

    /**
     * Writes {@code value} at {@code segs[i..]} below {@code container} (declared as {@code
     * declared}) and returns the container's new value: the same config for configs (changed in
     * place), a changed copy for lists, maps and records.
     */
    private static Object assign(
            Object container, Type declared, List<Segment> segs, int i, Object value, String at) {
        Segment s = segs.get(i);
        boolean last = i == segs.size() - 1;
        String here = append(at, s);
        if (container instanceof ConfigBase<?> c && s instanceof ConfigPath.Field f) {
            if (f.name().equals(ConfigPath.TYPE_FIELD)) {
                if (!last) {
                    throw new ConfigException(here + ": @type must be the last segment");
                }
                return newConfig(
                        typeNameOf(value, here), ConfigValues.rawClass(declared), at, here);
            }
            c.checkMutable();
            ConfigField field = c.fieldOrThrow(f.name(), at);
            Object current = field.get(c);
            Object updated;
            if (last) {
                updated = slotValue(field.genericType(), value, here, current);
            } else {
                if (current == null) {
                    current = defaultFor(field.genericType(), here);
                }
                updated = assign(current, field.genericType(), segs, i + 1, value, here);
                checkAssignable(field.genericType(), updated, here);
            }
            field.set(c, updated);
            return c;
        }
        if (container instanceof List<?> l && s instanceof ConfigPath.Item item) {
            int idx = index(item, l.size(), here);
            Type elem = ConfigValues.typeArgument(declared, 0);
            List<Object> out = new ArrayList<>(l);
            out.set(
                    idx,
                    last
                            ? slotValue(elem, value, here, l.get(idx))
                            : assign(l.get(idx), elem, segs, i + 1, value, here));
            return out;
        }
        if (container instanceof Map<?, ?> m && s instanceof ConfigPath.Item item) {
            Type elem = ConfigValues.typeArgument(declared, 1);
            Map<Object, Object> out = new LinkedHashMap<>(m);
            if (last) {
                out.put(item.key(), slotValue(elem, value, here, m.get(item.key())));
            } else {
                if (!m.containsKey(item.key())) {
                    throw unknownKey(here, item.key(), m);
                }
                out.put(item.key(), assign(m.get(item.key()), elem, segs, i + 1, value, here));
            }
            return out;
        }
        if (container instanceof Record r && s instanceof ConfigPath.Field f) {
            RecordComponent comp = component(r.getClass(), f.name(), at);
            Object updated =
                    last
                            ? slotValue(comp.getGenericType(), value, here, recordValue(r, comp))
                            : assign(
                                    recordValue(r, comp),
                                    comp.getGenericType(),
                                    segs,
                                    i + 1,
                                    value,
                                    here);
            return rebuildRecord(r, comp, updated);
        }
        throw notNavigable(container, s, at);
    }

    /** Converts {@code value} for a slot of declared type {@code declared}. */
    private static Object slotValue(Type declared, Object value, String here, Object current) {
        Class<?> raw = ConfigValues.rawClass(declared);
        if (!ConfigBase.class.isAssignableFrom(raw)) {
            return ConfigValues.convert(value, declared, here);
        }
        if (value == null || (value instanceof JsonNode n && n.isNull())) {
            return null;
        }
        Long steps = ConfigValues.isStepPolicySlot(declared) ? wholeNumber(value) : null;
        if (steps != null) {
            // DESIGN §5: a number where a step policy is expected means "every N steps".
            return StepPolicy.everyNSteps(steps);
        }
        if (value instanceof ConfigBase<?> c) {
            checkAssignable(declared, c, here);
            return c.copy();
        }
        if (value instanceof JsonNode node && node.isObject()) {
            JsonNode typeNode = node.get(ConfigPath.TYPE_FIELD);
            ConfigBase<?> target;
            if (typeNode != null) {
                String typePath = ConfigPath.child(here, ConfigPath.TYPE_FIELD);
                target = newConfig(typeNameOf(typeNode, typePath), raw, here, typePath);
            } else if (current != null) {
                target = ((ConfigBase<?>) current).copy();
            } else {
                target = (ConfigBase<?>) defaultFor(declared, here);
            }
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> e = fields.next();
                if (!e.getKey().equals(ConfigPath.TYPE_FIELD)) {
                    assign(
                            target,
                            target.getClass(),
                            List.of(new ConfigPath.Field(e.getKey())),
                            0,
                            e.getValue(),
                            here);
                }
            }
            return target;
        }
        throw new ConfigTypeException(here, ConfigValues.typeName(declared), value);
    }

    /**
     * {@code value} as a long if it is a whole number (a Java integer or an integral JSON node).
     */
    private static Long wholeNumber(Object value) {
        if (value instanceof Integer || value instanceof Long) {
            return ((Number) value).longValue();
        }
        if (value instanceof JsonNode n && n.isIntegralNumber() && n.canConvertToLong()) {
            return n.asLong();
        }
        return null;
    }

    private static String typeNameOf(Object value, String here) {
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof JsonNode n && n.isTextual()) {
            return n.asText();
        }
        throw new ConfigTypeException(here, "a registered config type name", value);
    }

    private static ConfigBase<?> newConfig(
            String typeName, Class<?> declared, String here, String typePath) {
        Class<?> type;
        try {
            type = ConfigTypes.classOf(typeName);
        } catch (ConfigException e) {
            throw e.withContext(typePath);
        }
        if (!declared.isAssignableFrom(type)) {
            throw new ConfigTypeException(
                    here, "a subtype of " + ConfigSchema.displayName(declared), typeName);
        }
        return (ConfigBase<?>) ConfigSchema.of(type).newInstance();
    }

    private static Object defaultFor(Type declared, String here) {
        Class<?> raw = ConfigValues.rawClass(declared);
        if (ConfigBase.class.isAssignableFrom(raw)
                && !java.lang.reflect.Modifier.isAbstract(raw.getModifiers())) {
            return ConfigSchema.of(raw).newInstance();
        }
        throw new ConfigException(
                here
                        + " is not set; set it first, e.g. "
                        + here
                        + "={\"@type\":\"...\"}"
                        + (ConfigBase.class.isAssignableFrom(raw)
                                ? " with one of: " + String.join(", ", subtypeNames(raw))
                                : ""));
    }

    private static List<String> subtypeNames(Class<?> base) {
        return ConfigTypes.all().entrySet().stream()
                .filter(e -> base.isAssignableFrom(e.getValue()))
                .map(Map.Entry::getKey)
                .toList();
    }

    private static void checkAssignable(Type declared, Object value, String here) {
        Class<?> raw = ConfigValues.box(ConfigValues.rawClass(declared));
        if (value != null && !raw.isInstance(value)) {
            throw new ConfigTypeException(here, ConfigValues.typeName(declared), value);
        }
    }

    private ConfigField fieldOrThrow(String name, String at) {
        ConfigSchema schema = ConfigSchema.of(getClass());
        ConfigField f = schema.field(name);
        if (f == null) {
            throw new UnknownFieldException(
                    ConfigPath.child(at, name),
                    "field",
                    Similarity.nearest(name, schema.fields().keySet()));
        }
        return f;
    }

    private static int index(ConfigPath.Item item, int size, String here) {
        int idx;
        try {
            idx = Integer.parseInt(item.key());
        } catch (NumberFormatException e) {
            throw new ConfigException(here + ": list index must be a number");
        }
        if (idx < 0 || idx >= size) {
            throw new UnknownFieldException(
                    here, "list index (the list has " + size + " items)", List.of());
        }
        return idx;
    }

    private static UnknownFieldException unknownKey(String here, String key, Map<?, ?> m) {
        List<String> keys = m.keySet().stream().map(String::valueOf).toList();
        return new UnknownFieldException(here, "map key", Similarity.nearest(key, keys));
    }

    private static RecordComponent component(Class<?> type, String name, String at) {
        RecordComponent[] comps = type.getRecordComponents();
        for (RecordComponent c : comps) {
            if (c.getName().equals(name)) {
                return c;
            }
        }
        List<String> names = java.util.Arrays.stream(comps).map(RecordComponent::getName).toList();
        throw new UnknownFieldException(
                ConfigPath.child(at, name), "field", Similarity.nearest(name, names));
    }

    private static Object recordValue(Record r, RecordComponent comp) {
        try {
            var accessor = comp.getAccessor();
            accessor.setAccessible(true);
            return accessor.invoke(r);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Record rebuildRecord(Record r, RecordComponent changed, Object value) {
        RecordComponent[] comps = r.getClass().getRecordComponents();
        Class<?>[] types = new Class<?>[comps.length];
        Object[] args = new Object[comps.length];
        for (int k = 0; k < comps.length; k++) {
            types[k] = comps[k].getType();
            boolean isChanged = comps[k].getName().equals(changed.getName());
            args[k] = isChanged ? value : recordValue(r, comps[k]);
        }
        try {
            Constructor<?> ctor = r.getClass().getDeclaredConstructor(types);
            ctor.setAccessible(true);
            return (Record) ctor.newInstance(args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw new ConfigException(
                    "invalid " + r.getClass().getSimpleName() + ": " + e.getCause().getMessage(),
                    e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ConfigException notNavigable(Object cur, Segment s, String at) {
        String what =
                cur == null
                        ? "null"
                        : cur instanceof ConfigBase<?>
                                ? "a config (use .field)"
                                : cur instanceof List<?> || cur instanceof Map<?, ?>
                                        ? "a "
                                                + (cur instanceof List<?> ? "list" : "map")
                                                + " (use [key])"
                                        : "a " + cur.getClass().getSimpleName() + " value";
        return new ConfigException(
                (at.isEmpty() ? "(root)" : at) + " is " + what + "; cannot apply " + s);
    }

    private static String append(String at, Segment s) {
        return s instanceof ConfigPath.Field f ? ConfigPath.child(at, f.name()) : at + s;
    }

    // ---------------------------------------------------------------- flat view

    /**
     * Every set leaf of the tree by dotted path, sorted by path. Config nodes contribute a {@code
     * path.@type} entry; lists of scalars are one leaf; lists of configs and maps are expanded with
     * {@code [i]}/{@code [key]}; unset ({@code null}) fields are left out.
     */
    public final SortedMap<String, Object> toFlatMap() {
        SortedMap<String, Object> out = new TreeMap<>();
        flatten(this, "", out);
        return out;
    }

    private static void flatten(Object v, String at, SortedMap<String, Object> out) {
        if (v instanceof ConfigBase<?> c) {
            out.put(ConfigPath.child(at, ConfigPath.TYPE_FIELD), c.typeName());
            for (ConfigField f : ConfigSchema.of(c.getClass()).fields().values()) {
                Object x = f.get(c);
                if (x != null) {
                    flatten(x, ConfigPath.child(at, f.name()), out);
                }
            }
        } else if (v instanceof List<?> l
                && !l.isEmpty()
                && l.stream().anyMatch(x -> x instanceof ConfigBase<?>)) {
            for (int i = 0; i < l.size(); i++) {
                if (l.get(i) != null) {
                    flatten(l.get(i), ConfigPath.item(at, i), out);
                }
            }
        } else if (v instanceof Map<?, ?> m && !m.isEmpty()) {
            m.forEach(
                    (k, x) -> {
                        if (x != null) {
                            flatten(x, ConfigPath.item(at, k), out);
                        }
                    });
        } else {
            out.put(at, v);
        }
    }

    /** The flat dump: one {@code path: value} line per set leaf, sorted by path. */
    @Override
    public String toString() {
        return toFlatMap().entrySet().stream()
                .map(e -> e.getKey() + ": " + ConfigValues.render(e.getValue()))
                .collect(Collectors.joining("\n"));
    }

    /** Field values by name, for the value-based {@link #equals} and {@link #hashCode}. */
    private Map<String, Object> values() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (ConfigField f : ConfigSchema.of(getClass()).fields().values()) {
            out.put(f.name(), f.get(this));
        }
        return out;
    }

    /** Configs are equal when they have the same class and equal field values, deeply. */
    @Override
    public final boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        return o != null
                && o.getClass() == getClass()
                && values().equals(((ConfigBase<?>) o).values());
    }

    @Override
    public final int hashCode() {
        return Objects.hash(getClass(), values());
    }

    /**
     * Applies {@code edit} to a copy of this config and returns the copy; this one is unchanged.
     */
    public final S copyWith(Function<S, S> edit) {
        return edit.apply(copy());
    }
}

package io.axlearn.core.module;

import io.axlearn.core.config.ConfigPath;
import io.axlearn.core.config.Configurable;
import io.axlearn.core.config.InstantiableConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A node of an immutable module tree: built from a frozen config, owns named children, knows its
 * path ({@code decoder/layer0/attention}).
 *
 * <p>A parent builds each child in its constructor with {@link #child(String, Config, Consumer)}:
 * the child config is copied, the parent writes the dims it owns into the copy, and the copy is
 * instantiated under the parent. Swapping a child (one norm for another) is a setter on the
 * parent's config; the parent code does not change.
 *
 * <pre>{@code
 * private FeedForward(Config cfg) {
 *   super(cfg);
 *   linear1 = child("linear1", cfg.linear1, c -> c.inputDim(cfg.inputDim).outputDim(cfg.hiddenDim));
 * }
 * }</pre>
 */
public abstract class Module extends Configurable {
    /** Separator of module path names. */
    public static final String PATH_SEPARATOR = "/";

    private final Map<String, Module> children = new LinkedHashMap<>();
    private Module parent;
    private String name = "";

    /**
     * The config of a module type. Module types that others extend declare their own abstract
     * generic config on top of this one; concrete modules close it with their own type.
     *
     * @param <S> the concrete config type
     * @param <T> the module type built
     */
    public abstract static class Config<S extends Config<S, T>, T extends Module>
            extends InstantiableConfig<S, T> {}

    /**
     * @param config the frozen config handed to {@code create()}
     */
    protected Module(Config<?, ?> config) {
        super(config);
    }

    /**
     * Builds and registers a child named {@code name} from a copy of {@code config}, after {@code
     * edit} has written the dims this parent owns into the copy. The child's config errors name its
     * full dotted path ({@code decoder.norm.inputDim is required}).
     *
     * @param name the child's name, unique in this module; also its config path segment
     * @param config the child config slot of this module's config (not changed)
     * @param edit writes the parent-owned fields into the copy, e.g. {@code c -> c.inputDim(dim)}
     * @throws IllegalArgumentException if a child with that name exists already
     */
    @SuppressWarnings("unchecked") // copy() returns an instance of the config's own class, C.
    protected final <C extends Config<?, ? extends M>, M extends Module> M child(
            String name, C config, Consumer<? super C> edit) {
        if (children.containsKey(name)) {
            throw new IllegalArgumentException(
                    "module " + path() + " already has a child named " + name);
        }
        C copy = (C) config.copy();
        edit.accept(copy);
        // A slot of this module's frozen config knows its own dotted path; a config made in the
        // constructor does not, so it is named after the child.
        String configPath =
                config.isFrozen() && !config.path().isEmpty()
                        ? config.path()
                        : ConfigPath.child(getConfig().path(), name);
        M module = copy.instantiateAt(configPath);
        Module attached = module; // M's private fields are reachable only through Module.
        attached.parent = this;
        attached.name = name;
        children.put(name, module);
        return module;
    }

    /** Builds and registers a child from a copy of {@code config}, unchanged. */
    protected final <C extends Config<?, ? extends M>, M extends Module> M child(
            String name, C config) {
        return child(name, config, c -> {});
    }

    /** The children by name, in the order they were added. */
    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** This module's name in its parent; empty for the root. */
    public final String name() {
        return name;
    }

    /** The parent, or {@code null} for the root. */
    public final Module parent() {
        return parent;
    }

    /**
     * Slash-separated names from the root ({@code decoder/layer0/attention}); empty for the root.
     */
    public final String path() {
        if (parent == null) {
            return name;
        }
        String parentPath = parent.path();
        return parentPath.isEmpty() ? name : parentPath + PATH_SEPARATOR + name;
    }
}

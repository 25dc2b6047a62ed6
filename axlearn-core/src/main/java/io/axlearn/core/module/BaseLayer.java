package io.axlearn.core.module;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.axlearn.core.init.Initializer;
import io.axlearn.core.init.ParamInit;
import io.axlearn.core.ndarray.OwnedArrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A layer: a module with parameters described by {@link ParamSpec}s and a forward pass that reads
 * them from an explicit {@link ForwardContext}.
 *
 * <p>Shapes are known from the config: {@link #paramSpecs()} allocates nothing, and {@link
 * #initParams} allocates exactly those specs. Parameter values never live in the layer.
 */
public abstract class BaseLayer extends Module {

    /**
     * Config of every layer.
     *
     * @param <S> the concrete config type
     * @param <T> the layer type
     */
    public abstract static class Config<S extends Config<S, T>, T extends BaseLayer>
            extends Module.Config<S, T> {
        /**
         * Initialiser rules by parameter name for this layer and its descendants that set none;
         * {@code null} inherits the parent's (at the root: {@link ParamInit}'s defaults).
         */
        private ParamInit paramInit;

        /** Sets the initialiser rules (stored as a copy). */
        public S paramInit(ParamInit v) {
            return set(() -> paramInit = v == null ? null : v.copy());
        }

        /** The initialiser rules, or {@code null} to inherit. */
        public ParamInit paramInit() {
            return paramInit;
        }
    }

    private Map<String, ParamSpec> ownSpecs;

    /**
     * @param config the frozen config handed to {@code create()}
     */
    protected BaseLayer(Config<?, ?> config) {
        super(config);
    }

    /**
     * This layer's own parameters by name (children excluded); computed from the config without
     * allocating. The default has none.
     */
    protected Map<String, ParamSpec> createParamSpecs() {
        return Map.of();
    }

    private Map<String, ParamSpec> ownSpecs() {
        if (ownSpecs == null) {
            ownSpecs = Map.copyOf(createParamSpecs());
        }
        return ownSpecs;
    }

    /** Every parameter of this layer and its descendants by path relative to this layer. */
    public final SortedMap<String, ParamSpec> paramSpecs() {
        SortedMap<String, ParamSpec> out = new TreeMap<>();
        collect("", this, (path, layer, spec) -> out.put(path, spec));
        return out;
    }

    /** Receives one parameter spec with its path and owning layer. */
    @FunctionalInterface
    private interface SpecVisitor {
        void visit(String path, BaseLayer owner, ParamSpec spec);
    }

    private static void collect(String prefix, Module module, SpecVisitor visitor) {
        if (module instanceof BaseLayer layer) {
            layer.ownSpecs().forEach((name, spec) -> visitor.visit(prefix + name, layer, spec));
        }
        module.children()
                .forEach((name, child) -> collect(prefix + name + PATH_SEPARATOR, child, visitor));
    }

    /** The initialiser rules in force for this layer: its own, else its nearest ancestor's. */
    public final ParamInit effectiveParamInit() {
        for (Module m = this; m != null; m = m.parent()) {
            if (m instanceof BaseLayer layer) {
                ParamInit own = ((Config<?, ?>) layer.getConfig()).paramInit();
                if (own != null) {
                    return own;
                }
            }
        }
        return new ParamInit();
    }

    /** The initialiser config used for the parameter {@code name} of {@code owner}. */
    private static Initializer.Config<?> initializerFor(
            BaseLayer owner, String path, ParamSpec spec) {
        if (spec.initializer() != null) {
            return spec.initializer();
        }
        String name = path.substring(path.lastIndexOf(PATH_SEPARATOR) + 1);
        return owner.effectiveParamInit().forName(name);
    }

    /**
     * Creates every parameter on {@code manager}. Each parameter's values depend only on {@code
     * seed} and its path, so adding a layer does not change the others' values.
     */
    public final ParamTree initParams(long seed, NDManager manager) {
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        collect(
                "",
                this,
                (path, owner, spec) -> {
                    Initializer init = initializerFor(owner, path, spec).instantiateAt(path);
                    float[] values =
                            init.sample(
                                    spec.shape(),
                                    spec.fanAxes(),
                                    new SplittableRandom(Seeds.derive(seed, path)));
                    NDArray a = OwnedArrays.copyOf(manager, values, spec.shape());
                    if (a.getDataType() != spec.dtype()) {
                        NDArray typed = a.toType(spec.dtype(), false);
                        a.close();
                        a = typed;
                    }
                    a.setName(path);
                    arrays.put(path, a);
                });
        return ParamTree.of(arrays);
    }

    /**
     * One line per parameter: {@code path: shape dtype initialiser fan weight-decay
     * [non-trainable]}, sorted by path (axlearn's {@code _init.txt}); used by golden files.
     */
    public final String paramSpecDump() {
        StringBuilder sb = new StringBuilder();
        SortedMap<String, String> lines = new TreeMap<>();
        collect(
                "",
                this,
                (path, owner, spec) ->
                        lines.put(
                                path,
                                path
                                        + ": "
                                        + spec.shape()
                                        + " "
                                        + spec.dtype().name().toLowerCase(java.util.Locale.ROOT)
                                        + " "
                                        + initializerFor(owner, path, spec).instantiate().describe()
                                        + " fan="
                                        + spec.fanAxes()
                                        + " wd="
                                        + spec.weightDecayScale()
                                        + (spec.trainable() ? "" : " non-trainable")));
        lines.values().forEach(l -> sb.append(l).append('\n'));
        return sb.toString();
    }
}

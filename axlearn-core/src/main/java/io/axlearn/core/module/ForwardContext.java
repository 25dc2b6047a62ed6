package io.axlearn.core.module;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * What a layer's forward pass sees besides its inputs: whether it is training, the manager for
 * arrays it creates, its view of the parameter tree, a seed for its randomness, and the sink for
 * summaries and state updates (axlearn's invocation context, passed explicitly).
 *
 * <p>A parent hands each child module the context {@code ctx.child(childModule)}: the child's name
 * comes from the module itself, so a call cannot name a child that does not exist or belongs to
 * another module (both would silently read other parameters or another dropout stream). Each child
 * has one context, and so one randomness stream, per pass: a layer that needs two independent masks
 * declares two children. Arrays a layer creates go on {@link #manager()} (the step's sub-manager),
 * never on the parameters' manager, so they die with the step.
 */
public final class ForwardContext {
    private final boolean training;
    private final NDManager manager;
    private final ParamTree params;
    private final String path;
    private final long rootSeed;
    private final Outputs outputs;
    private final Constants constants;

    /** The module this context belongs to; {@code null} for a root context. */
    private final Module module;

    /** Summaries and state updates of one forward pass, by full path. */
    public static final class Outputs {
        private final Map<String, Object> summaries = new LinkedHashMap<>();
        private final Map<String, NDArray> stateUpdates = new LinkedHashMap<>();

        /** Scalars ({@code Double}) and arrays added with {@link #addSummary}, by path. */
        public Map<String, Object> summaries() {
            return Collections.unmodifiableMap(summaries);
        }

        /**
         * New values of non-trainable parameters (BatchNorm's moving statistics) by parameter path;
         * the caller copies them into the parameter tree after the step.
         */
        public Map<String, NDArray> stateUpdates() {
            return Collections.unmodifiableMap(stateUpdates);
        }
    }

    private ForwardContext(
            boolean training,
            NDManager manager,
            ParamTree params,
            String path,
            long rootSeed,
            Outputs outputs,
            Constants constants,
            Module module) {
        this.training = training;
        this.manager = manager;
        this.params = params;
        this.path = path;
        this.rootSeed = rootSeed;
        this.outputs = outputs;
        this.constants = constants;
        this.module = module;
    }

    /**
     * A root context.
     *
     * @param params the whole parameter tree of the model
     * @param manager where the forward pass creates arrays (a step's sub-manager)
     * @param training whether dropout and friends are active and state updates are collected
     * @param seed root of the randomness of this pass (derive it from the run seed and the step)
     */
    public static ForwardContext of(
            ParamTree params, NDManager manager, boolean training, long seed) {
        return of(params, manager, training, seed, Constants.forPass(manager));
    }

    /**
     * A root context whose shape-only arrays ({@link #constant}) come from {@code constants}, a
     * cache that may outlive the pass (the train step keeps one for the whole run).
     */
    public static ForwardContext of(
            ParamTree params, NDManager manager, boolean training, long seed, Constants constants) {
        return new ForwardContext(
                training, manager, params, "", seed, new Outputs(), constants, null);
    }

    /** An evaluation context: no dropout, no state updates. */
    public static ForwardContext eval(ParamTree params, NDManager manager) {
        return of(params, manager, false, 0);
    }

    /** An evaluation context whose shape-only arrays come from {@code constants}. */
    public static ForwardContext eval(ParamTree params, NDManager manager, Constants constants) {
        return of(params, manager, false, 0, constants);
    }

    /**
     * The context of {@code child}, a child module of the layer this context belongs to: its
     * parameters, path and seed are those of {@code child.name()}.
     *
     * <p>A root context accepts any module that has a parent (the root layer's children); below the
     * root, {@code child} must be a child of this context's module.
     *
     * @throws IllegalArgumentException if {@code child} is a root module, or a child of another
     *     module than this context's
     */
    public ForwardContext child(Module child) {
        Module parent = child.parent();
        if (parent == null) {
            throw new IllegalArgumentException(
                    "a root module has no context below another; create one with"
                            + " ForwardContext.of");
        }
        if (module != null && parent != module) {
            throw new IllegalArgumentException(
                    "module "
                            + describe(child)
                            + " is a child of "
                            + describe(parent)
                            + ", not of "
                            + describe(module)
                            + " whose context this is");
        }
        String name = child.name();
        return new ForwardContext(
                training,
                manager,
                params.scope(name),
                path.isEmpty() ? name : path + Module.PATH_SEPARATOR + name,
                rootSeed,
                outputs,
                constants,
                child);
    }

    private static String describe(Module m) {
        return m.path().isEmpty() ? "(root " + m.getClass().getSimpleName() + ")" : m.path();
    }

    /** Whether this is a training pass. */
    public boolean training() {
        return training;
    }

    /** The manager for arrays this pass creates. */
    public NDManager manager() {
        return manager;
    }

    /**
     * The parameter {@code name} of this layer. An engine op lands its result on its receiver's
     * manager, so use the parameter as an argument ({@code x.matMul(w)}); to compute on the
     * parameter itself, take {@link #param(String, Shape)}, whose view lives on this pass's
     * manager.
     */
    public NDArray param(String name) {
        return params.get(name);
    }

    /**
     * A view of the parameter {@code name} in {@code shape}, on this pass's manager: ops on it
     * (reshape for broadcasting, scaling a statistic) land on the pass's manager and close with it,
     * instead of accumulating on the long-lived manager of the parameters. Gradients flow through
     * the view to the parameter.
     *
     * @param name the parameter's name
     * @param shape a shape with the parameter's number of elements
     */
    public NDArray param(String name, Shape shape) {
        NDArray view = params.get(name).reshape(shape);
        view.attach(manager);
        return view;
    }

    /**
     * An array that depends only on shapes and settings (a rotary table, a causal mask), shared by
     * every layer of the pass and, when the root context was given a long-lived {@link Constants},
     * by later passes. Use it as an argument of engine operations, never as their receiver.
     *
     * @param key everything the array depends on (kind, sizes, settings, data type)
     * @param build makes the array on the manager it is given; anything else it creates there is
     *     freed
     */
    public NDArray constant(String key, Function<NDManager, NDArray> build) {
        return constants.get(key, build, manager);
    }

    /** This layer's view of the parameter tree. */
    public ParamTree params() {
        return params;
    }

    /** The path of this layer from the root of the pass. */
    public String path() {
        return path;
    }

    /** A seed for this layer's randomness in this pass, derived from the root seed and the path. */
    public long seed() {
        return Seeds.derive(rootSeed, path);
    }

    /**
     * Seeds the engine's random generator with {@link #seed()}, so that the random arrays this
     * layer draws next (dropout masks) depend only on the root seed and the layer's path.
     */
    public void seedEngineRandomness() {
        long s = seed();
        manager.getEngine().setRandomSeed((int) (s ^ (s >>> 32)));
    }

    /** Records a scalar summary {@code <path>/<name>}. */
    public void addSummary(String name, double value) {
        outputs.summaries.put(qualify(name), value);
    }

    /** Records a new value for this layer's non-trainable parameter {@code name}. */
    public void addStateUpdate(String name, NDArray value) {
        outputs.stateUpdates.put(qualify(name), value);
    }

    /** The outputs of the whole pass (shared by every context of it). */
    public Outputs outputs() {
        return outputs;
    }

    private String qualify(String name) {
        return path.isEmpty() ? name : path + Module.PATH_SEPARATOR + name;
    }
}

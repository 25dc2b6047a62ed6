package io.axlearn.core.module;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Arrays that depend only on shapes and settings, never on the inputs or the parameters (rotary
 * sine and cosine tables, causal masks), built once and shared by every layer of a pass and, when
 * the cache outlives the pass, by every later pass. Rebuilding them costs each attention layer of a
 * GPT step a table computed in Java and a dozen engine calls; a hand-written loop builds them once.
 *
 * <p>A cache made by {@link #forPass} lives on the pass's manager and dies with it; one made by
 * {@link #longLived} has its own sub-manager and frees its arrays on {@link #close()} (or when its
 * parent closes). A cache holds at most {@link #CAPACITY} arrays; past that, {@link #get} builds on
 * the caller's manager without caching, so a stream of new shapes cannot grow it without bound.
 *
 * <p>The arrays belong to the cache's manager: use them as arguments of engine operations ({@code
 * x.mul(table)}), never as receivers, whose results would land on the cache's manager. Safe for
 * concurrent use.
 */
public final class Constants implements AutoCloseable {
    /** Most arrays one cache keeps. */
    public static final int CAPACITY = 64;

    private final NDManager manager;
    private final boolean ownsManager;
    private final Map<String, NDArray> arrays = new ConcurrentHashMap<>();

    private Constants(NDManager manager, boolean ownsManager) {
        this.manager = manager;
        this.ownsManager = ownsManager;
    }

    /** A cache for one pass: its arrays live on {@code passManager} and close with it. */
    public static Constants forPass(NDManager passManager) {
        return new Constants(passManager, false);
    }

    /**
     * A cache that outlives passes: its arrays live on a new sub-manager of {@code parent} (the
     * parameters' manager, so they are on the parameters' device) until {@link #close()}.
     */
    public static Constants longLived(NDManager parent) {
        return new Constants(parent.newSubManager(), true);
    }

    /** The manager the cached arrays live on. */
    public NDManager manager() {
        return manager;
    }

    /**
     * The array cached under {@code key}, built by {@code build} on first use. {@code build} gets a
     * scratch manager: whatever it creates besides the array it returns is freed at once. When the
     * cache is full, the array is built on {@code fallback} and not cached.
     *
     * @param key names everything the array depends on (kind, sizes, settings, data type)
     * @param build makes the array on the manager it is given
     * @param fallback where an uncached array goes (the pass's manager)
     */
    public NDArray get(String key, Function<NDManager, NDArray> build, NDManager fallback) {
        NDArray cached = arrays.get(key);
        if (cached != null) {
            return cached;
        }
        if (arrays.size() >= CAPACITY) {
            return build.apply(fallback);
        }
        return arrays.computeIfAbsent(key, k -> buildOn(manager, build));
    }

    private static NDArray buildOn(NDManager target, Function<NDManager, NDArray> build) {
        try (NDManager scratch = target.newSubManager()) {
            NDArray built = build.apply(scratch);
            built.attach(target);
            return built;
        }
    }

    /** Number of cached arrays. */
    public int size() {
        return arrays.size();
    }

    /** Frees the cached arrays if this cache owns its manager ({@link #longLived}). */
    @Override
    public void close() {
        if (ownsManager) {
            arrays.clear();
            manager.close();
        }
    }
}

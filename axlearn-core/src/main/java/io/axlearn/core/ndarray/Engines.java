package io.axlearn.core.ndarray;

import ai.djl.engine.Engine;
import java.nio.file.Path;

/**
 * The PyTorch engine, set up so that it never touches the network.
 *
 * <p>Before the engine first loads, {@link #pytorch()} turns on DJL's offline mode and tracking
 * opt-out (without them DJL's start-up probes a cloud metadata address) and, unless {@code
 * DJL_CACHE_DIR} is set, points DJL's native cache at {@code .djl/} in the working directory
 * instead of the user's home. The PyTorch natives themselves come from the {@code
 * pytorch-native-cpu} jar on the class path, so nothing is downloaded: the first start extracts
 * about 430 MB into the cache, later starts reuse it. It also applies the launcher's native runtime
 * settings from inside the JVM ({@link RuntimeSettings}: malloc tuning, and on AMD CPUs the MKL
 * override and oneDNN's ISA cap), once, before libtorch loads.
 *
 * <p>Call it (or anything in axlearn that creates arrays) before touching DJL directly.
 */
public final class Engines {
    /** Name of DJL's PyTorch engine. */
    public static final String PYTORCH = "PyTorch";

    /** Environment variable or system property naming DJL's cache root. */
    public static final String CACHE_DIR = "DJL_CACHE_DIR";

    /** Default cache directory, relative to the working directory. */
    public static final String DEFAULT_CACHE_DIR = ".djl";

    private Engines() {}

    /**
     * Sets DJL's offline mode, tracking opt-out and project-local cache, and applies {@link
     * RuntimeSettings}; idempotent.
     */
    public static synchronized void configureOffline() {
        RuntimeSettings.applyOnce();
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("DJL_OFFLINE", "true");
        System.setProperty("OPT_OUT_TRACKING", "true");
        System.setProperty("ai.djl.default_engine", PYTORCH);
        if (System.getenv(CACHE_DIR) == null && System.getProperty(CACHE_DIR) == null) {
            System.setProperty(CACHE_DIR, Path.of(DEFAULT_CACHE_DIR).toAbsolutePath().toString());
        }
    }

    /** The PyTorch engine, loaded offline on first use. */
    public static Engine pytorch() {
        configureOffline();
        return Engine.getEngine(PYTORCH);
    }

    /** The directory DJL extracts native libraries into. */
    public static Path cacheDir() {
        configureOffline();
        String dir = System.getenv(CACHE_DIR);
        return Path.of(dir != null ? dir : System.getProperty(CACHE_DIR)).toAbsolutePath();
    }
}

package io.axlearn.trainer.launch;

import io.axlearn.core.config.ConfigBase;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.config.Similarity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Supplier;

/** Every named experiment on the class path, by module and name. */
public final class ExperimentRegistry {
    private final SortedMap<String, SortedMap<String, Supplier<? extends ConfigBase<?>>>> modules;

    private ExperimentRegistry(
            SortedMap<String, SortedMap<String, Supplier<? extends ConfigBase<?>>>> modules) {
        this.modules = modules;
    }

    /**
     * Loads every {@link ExperimentProvider} visible to the context class loader.
     *
     * @throws ConfigException if two providers define the same module and experiment name
     */
    public static ExperimentRegistry load() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        List<ExperimentProvider> providers = new ArrayList<>();
        ServiceLoader.load(ExperimentProvider.class, loader).forEach(providers::add);
        return of(providers);
    }

    /**
     * A registry of the given providers.
     *
     * @throws ConfigException if two providers define the same module and experiment name
     */
    public static ExperimentRegistry of(List<? extends ExperimentProvider> providers) {
        SortedMap<String, SortedMap<String, Supplier<? extends ConfigBase<?>>>> modules =
                new TreeMap<>();
        for (ExperimentProvider p : providers) {
            var byName = modules.computeIfAbsent(p.module(), m -> new TreeMap<>());
            p.experiments()
                    .forEach(
                            (name, factory) -> {
                                if (byName.putIfAbsent(name, factory) != null) {
                                    throw new ConfigException(
                                            "experiment "
                                                    + p.module()
                                                    + " "
                                                    + name
                                                    + " is defined twice (again by "
                                                    + p.getClass().getName()
                                                    + ")");
                                }
                            });
        }
        return new ExperimentRegistry(modules);
    }

    /** Module names to their experiment names, both sorted. */
    public SortedMap<String, List<String>> names() {
        SortedMap<String, List<String>> out = new TreeMap<>();
        modules.forEach((m, byName) -> out.put(m, List.copyOf(byName.keySet())));
        return out;
    }

    /** Experiment names of one module, sorted. */
    public List<String> names(String module) {
        return List.copyOf(experiments(module).keySet());
    }

    /**
     * A fresh config of the named experiment.
     *
     * @throws ConfigException naming the nearest module or experiment if either is unknown
     */
    public ConfigBase<?> get(String module, String name) {
        var byName = experiments(module);
        var factory = byName.get(name);
        if (factory == null) {
            throw new ConfigException(
                    "unknown config '"
                            + name
                            + "' in module "
                            + module
                            + hint(name, byName.keySet().stream().toList()));
        }
        return factory.get();
    }

    private Map<String, Supplier<? extends ConfigBase<?>>> experiments(String module) {
        var byName = modules.get(module);
        if (byName == null) {
            throw new ConfigException(
                    "unknown module '"
                            + module
                            + "'"
                            + hint(module, List.copyOf(modules.keySet())));
        }
        return byName;
    }

    private static String hint(String name, List<String> known) {
        List<String> near = Similarity.nearest(name, known);
        if (!near.isEmpty()) {
            return "; did you mean " + String.join(" or ", near) + "?";
        }
        return known.isEmpty()
                ? "; no experiments are on the class path"
                : "; known: " + String.join(", ", known);
    }
}

package io.axlearn.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.config.Configurable;
import io.axlearn.core.config.InstantiableConfig;
import io.axlearn.core.config.Required;
import io.axlearn.core.io.OnnxWeights;
import io.axlearn.core.io.SafeTensors;
import io.axlearn.core.io.WeightFamily;
import io.axlearn.core.io.WeightMap;
import io.axlearn.core.module.ParamSpec;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.ndarray.NDArrays;
import io.axlearn.trainer.checkpoint.Checkpoint;
import io.axlearn.trainer.checkpoint.CheckpointException;
import io.axlearn.trainer.checkpoint.Checkpointer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Weights a run starts from instead of its initialisers (fine-tuning, or continuing from another
 * run): a safetensors file, or another run's checkpoint. Source names are mapped to the model's
 * parameter paths by prefix; the parameters matched by {@code freshPaths} (a new classification
 * head) keep their initialiser's values. Every other parameter must be in the source with the
 * model's shape.
 *
 * <pre>{@code
 * trainer.initFrom(InitialWeights.config()
 *         .path("runs/mlm-tiny")          // its newest complete checkpoint
 *         .prefix("encoder/", "backbone/") // rename a subtree
 *         .freshPaths(".*classifier/.*")  // the new head starts fresh
 *         .allowUnused(true));            // the MLM head is not needed
 * }</pre>
 *
 * <p>On the command line: {@code --set initFrom.path=runs/mlm-tiny --set
 * 'initFrom.freshPaths=[".*classifier/.*"]'}. A run that has a checkpoint of its own resumes from
 * it and ignores these weights.
 */
public final class InitialWeights extends Configurable {

    /** Config of {@link InitialWeights}. */
    public static final class Config extends InstantiableConfig<Config, InitialWeights> {
        /**
         * Where the weights are: a {@code .safetensors} file, a trainer directory (its newest
         * complete checkpoint), or one checkpoint directory ({@code
         * .../checkpoints/step_00001000}).
         */
        @Required private String path;

        /**
         * Source name prefix to model path prefix ({@code "bert/": "encoder/"}); the first entry
         * whose key starts a source name renames it, names matched by none are kept as they are.
         */
        private Map<String, String> prefixes = new LinkedHashMap<>();

        /**
         * Regular expressions (full match) of model parameter paths that keep their initialiser's
         * values and need not be in the source.
         */
        private List<String> freshPaths = new ArrayList<>();

        /**
         * Whether source tensors that no model parameter takes are allowed (otherwise an error).
         */
        private boolean allowUnused = false;

        /**
         * The weight family ({@code bert}, {@code gpt2}, {@code llama}, {@code vit}, {@code
         * resnet}; {@link WeightFamily}) whose foreign names (Hugging Face, torchvision) the source
         * has, to convert them on loading; {@code null} when the source is in our names. With a
         * family the path may also be an {@code .onnx} model ({@link OnnxWeights}) and either may
         * be a class-path resource written {@code classpath:name}.
         */
        private String family;

        public Config path(String v) {
            return set(() -> path = v);
        }

        /** Adds a prefix mapping (source prefix to model prefix). */
        public Config prefix(String from, String to) {
            return set(
                    () -> {
                        Map<String, String> m = new LinkedHashMap<>(prefixes);
                        m.put(from, to);
                        prefixes = m;
                    });
        }

        /** Sets the patterns of parameters that start fresh. */
        public Config freshPaths(String... patterns) {
            return set(() -> freshPaths = new ArrayList<>(List.of(patterns)));
        }

        public Config allowUnused(boolean v) {
            return set(() -> allowUnused = v);
        }

        public Config family(String v) {
            return set(() -> family = v);
        }

        @Override
        protected void validate() {
            for (int i = 0; i < freshPaths.size(); i++) {
                try {
                    Pattern.compile(freshPaths.get(i));
                } catch (PatternSyntaxException e) {
                    throw invalid(
                            "freshPaths[" + i + "]",
                            "is not a regular expression: " + e.getDescription());
                }
            }
        }

        @Override
        protected InitialWeights create() {
            return new InitialWeights(this);
        }
    }

    /** A new config; set the path. */
    public static Config config() {
        return new Config();
    }

    /** Prefix of a class-path resource in {@code path} (with a {@code family}). */
    public static final String CLASSPATH = "classpath:";

    private final Config cfg;
    private final List<Pattern> fresh;

    private InitialWeights(Config cfg) {
        super(cfg);
        this.cfg = cfg;
        this.fresh = cfg.freshPaths.stream().map(Pattern::compile).toList();
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    /**
     * Copies the weights into {@code params} (already initialised by the model).
     *
     * @param params the model's parameters, changed in place
     * @param specs the model's parameter specs (for shapes)
     * @param manager where the source tensors are read to (freed before returning)
     * @return one line saying what was loaded
     * @throws CheckpointException naming the path, the parameter and both shapes on a mismatch
     */
    public String loadInto(
            ParamTree params, SortedMap<String, ParamSpec> specs, NDManager manager) {
        try (NDManager scope = manager.newSubManager()) {
            Map<String, NDArray> source = renamed(read(scope));
            List<String> missing = new ArrayList<>();
            int loaded = 0;
            int kept = 0;
            for (Map.Entry<String, ParamSpec> e : specs.entrySet()) {
                String path = e.getKey();
                if (fresh.stream().anyMatch(p -> p.matcher(path).matches())) {
                    kept++;
                    continue;
                }
                NDArray value = source.get(path);
                if (value == null) {
                    missing.add(path);
                    continue;
                }
                if (!value.getShape().equals(e.getValue().shape())) {
                    throw new CheckpointException(
                            "initFrom "
                                    + cfg.path
                                    + ": "
                                    + path
                                    + " is "
                                    + value.getShape()
                                    + " there, the model needs "
                                    + e.getValue().shape());
                }
                NDArrays.copyValues(value, params.get(path));
                loaded++;
            }
            if (!missing.isEmpty()) {
                throw new CheckpointException(
                        "initFrom "
                                + cfg.path
                                + " has no tensor for "
                                + listed(missing)
                                + " (after the prefix mapping); list them in initFrom.freshPaths"
                                + " to initialise them fresh");
            }
            List<String> unused =
                    source.keySet().stream().filter(k -> !specs.containsKey(k)).toList();
            if (!unused.isEmpty() && !cfg.allowUnused) {
                throw new CheckpointException(
                        "initFrom "
                                + cfg.path
                                + " has tensors no parameter takes: "
                                + listed(unused)
                                + "; map them with initFrom.prefixes or set"
                                + " initFrom.allowUnused=true");
            }
            return "initialised "
                    + loaded
                    + " parameters from "
                    + cfg.path
                    + (kept > 0 ? ", " + kept + " fresh" : "")
                    + (unused.isEmpty() ? "" : ", " + unused.size() + " source tensors unused");
        }
    }

    private static String listed(List<String> names) {
        return names.size() <= 5
                ? String.join(", ", names)
                : String.join(", ", names.subList(0, 5)) + " and " + (names.size() - 5) + " more";
    }

    private Map<String, NDArray> read(NDManager manager) {
        if (cfg.family != null) {
            return readForeign(manager);
        }
        Path path = Path.of(cfg.path);
        if (Files.isRegularFile(path)) {
            try {
                return SafeTensors.read(path, manager).tensors();
            } catch (IOException e) {
                throw new CheckpointException(
                        "initFrom "
                                + cfg.path
                                + " is not a readable safetensors file: "
                                + e.getMessage(),
                        e);
            }
        }
        if (Files.isRegularFile(path.resolve("index.json"))) {
            Path trainerDir = path.toAbsolutePath().getParent().getParent();
            String name = path.getFileName().toString();
            long step = Long.parseLong(name.substring(name.lastIndexOf('_') + 1));
            return Checkpointer.restore(trainerDir, step, manager, null).params();
        }
        if (Files.isDirectory(path)) {
            Optional<Checkpoint> latest =
                    Checkpointer.restoreLatest(path, manager, null, true, w -> {});
            return latest.orElseThrow(
                            () ->
                                    new CheckpointException(
                                            "initFrom " + cfg.path + " has no complete checkpoint"))
                    .params();
        }
        throw new ConfigException("initFrom.path " + cfg.path + " does not exist");
    }

    /** The source in the family's foreign names, converted to ours. */
    private Map<String, NDArray> readForeign(NDManager manager) {
        WeightFamily family = WeightFamily.named(cfg.family);
        Map<String, NDArray> foreign;
        try {
            if (cfg.path.endsWith(".onnx")) {
                try (InputStream in = open(cfg.path)) {
                    foreign = OnnxWeights.read(in, cfg.path, manager).stateDict();
                }
            } else if (cfg.path.startsWith(CLASSPATH)) {
                Path tmp = Files.createTempFile("initFrom", ".safetensors");
                try (InputStream in = open(cfg.path)) {
                    Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    foreign = SafeTensors.read(tmp, manager).tensors();
                } finally {
                    Files.deleteIfExists(tmp);
                }
            } else {
                open(cfg.path).close(); // says so if the file does not exist
                foreign = SafeTensors.read(Path.of(cfg.path), manager).tensors();
            }
        } catch (IOException e) {
            throw new CheckpointException(
                    "initFrom " + cfg.path + " is not readable: " + e.getMessage(), e);
        }
        try {
            return family.forForeign(foreign.keySet())
                    .toOurs(foreign, WeightMap.Selection.all().allowUnknown(cfg.allowUnused))
                    .tensors();
        } catch (ConfigException e) {
            throw e.withContext("initFrom " + cfg.path);
        }
    }

    private static InputStream open(String location) throws IOException {
        if (location.startsWith(CLASSPATH)) {
            String name = location.substring(CLASSPATH.length());
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            InputStream in =
                    (loader != null ? loader : InitialWeights.class.getClassLoader())
                            .getResourceAsStream(name.startsWith("/") ? name.substring(1) : name);
            if (in == null) {
                throw new ConfigException(
                        "initFrom.path " + location + ": no such class-path resource");
            }
            return in;
        }
        Path path = Path.of(location);
        if (!Files.isRegularFile(path)) {
            throw new ConfigException("initFrom.path " + location + " does not exist");
        }
        return Files.newInputStream(path);
    }

    private Map<String, NDArray> renamed(Map<String, NDArray> source) {
        Map<String, NDArray> out = new TreeMap<>();
        source.forEach(
                (name, value) -> {
                    String target = name;
                    for (Map.Entry<String, String> p : cfg.prefixes.entrySet()) {
                        if (name.startsWith(p.getKey())) {
                            target = p.getValue() + name.substring(p.getKey().length());
                            break;
                        }
                    }
                    if (out.put(target, value) != null) {
                        throw new CheckpointException(
                                "initFrom " + cfg.path + ": two tensors map to " + target);
                    }
                });
        return out;
    }
}

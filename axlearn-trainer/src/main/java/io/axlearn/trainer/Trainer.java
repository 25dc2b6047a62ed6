package io.axlearn.trainer;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.axlearn.core.config.ConfigJson;
import io.axlearn.core.config.ConfigPath;
import io.axlearn.core.config.Configurable;
import io.axlearn.core.config.InstantiableConfig;
import io.axlearn.core.config.Required;
import io.axlearn.core.input.Batch;
import io.axlearn.core.input.Input;
import io.axlearn.core.input.InputState;
import io.axlearn.core.learner.Learner;
import io.axlearn.core.learner.OptimizerState;
import io.axlearn.core.metrics.WeightedScalar;
import io.axlearn.core.module.BaseModel;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamSpec;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.module.Seeds;
import io.axlearn.core.ndarray.Engines;
import io.axlearn.core.ndarray.NDArrays;
import io.axlearn.trainer.checkpoint.Checkpointer;
import io.axlearn.trainer.checkpoint.TrainState;
import io.axlearn.trainer.eval.Evaler;
import io.axlearn.trainer.summary.SummaryWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Trains a model (axlearn's {@code SpmdTrainer}, on one device): restores the newest complete
 * checkpoint or initialises, then loops over steps — forward and backward in a sub-manager closed
 * with the step, the learner's update, summaries, evalers by their policies, checkpoints by policy
 * — and saves at the last step.
 *
 * <p>The run directory gets {@code config.json} and {@code config.txt}, {@code summaries/train} and
 * {@code summaries/<evaler>}, and {@code checkpoints/}. A run killed at any instant resumes from
 * the newest complete checkpoint and reproduces the losses of an uninterrupted run: the parameters,
 * optimiser state, input position and step are all in the checkpoint, and each step's randomness
 * derives from the seed and the step number.
 */
public final class Trainer extends Configurable {

    /** Config of {@link Trainer}: the stable command-line surface ({@code --set maxStep=...}). */
    public static final class Config extends InstantiableConfig<Config, Trainer> {
        /** The model. */
        @Required private BaseModel.Config<?, ?> model;

        /** The training input. */
        @Required private Input.Config input;

        /** Optimiser, schedule and clipping. */
        @Required private Learner.Config learner;

        /** When to save and what to keep. */
        private Checkpointer.Config checkpointer = Checkpointer.config();

        /** Evaluations by name, each with its own input and interval. */
        private Map<String, Evaler.Config> evalers = new LinkedHashMap<>();

        /** Write training summaries every this many steps. */
        private int summaryEveryNSteps = 10;

        /** Number of training steps. */
        @Required private Long maxStep;

        /** Seed of initialisation and of every step's randomness. */
        private long seed = 0;

        /** Device: {@code cpu}, {@code gpu}, {@code gpu:N} or {@code auto} (a GPU when present). */
        private String device = "cpu";

        public Config model(BaseModel.Config<?, ?> v) {
            return set(() -> model = v.copy());
        }

        public Config input(Input.Config v) {
            return set(() -> input = v.copy());
        }

        public Config learner(Learner.Config v) {
            return set(() -> learner = v.copy());
        }

        public Config checkpointer(Checkpointer.Config v) {
            return set(() -> checkpointer = v.copy());
        }

        /** Adds or replaces the evaler {@code name}. */
        public Config evaler(String name, Evaler.Config v) {
            return set(
                    () -> {
                        Map<String, Evaler.Config> m = new LinkedHashMap<>(evalers);
                        m.put(name, v.copy());
                        evalers = m;
                    });
        }

        public Config summaryEveryNSteps(int v) {
            return set(() -> summaryEveryNSteps = v);
        }

        public Config maxStep(long v) {
            return set(() -> maxStep = v);
        }

        public Config seed(long v) {
            return set(() -> seed = v);
        }

        public Config device(String v) {
            return set(() -> device = v);
        }

        /** The number of training steps. */
        public Long maxStep() {
            return maxStep;
        }

        @Override
        protected void validate() {
            if (maxStep <= 0) {
                throw invalid("maxStep", "must be positive, got " + maxStep);
            }
            if (summaryEveryNSteps <= 0) {
                throw invalid("summaryEveryNSteps", "must be positive, got " + summaryEveryNSteps);
            }
            if (!device.matches("cpu|gpu|gpu:\\d+|auto")) {
                throw invalid("device", "must be cpu, gpu, gpu:N or auto, got " + device);
            }
        }

        @Override
        protected Trainer create() {
            return new Trainer(this);
        }
    }

    /** A new config. */
    public static Config config() {
        return new Config();
    }

    /**
     * What a run ended with.
     *
     * @param step the last step trained
     * @param loss the training loss of that step (NaN if the run started at maxStep)
     * @param evaluations the last results of each evaler, by evaler name
     */
    public record Result(
            long step, double loss, Map<String, Map<String, WeightedScalar>> evaluations) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Config cfg;
    private final BaseModel model;
    private final Input input;
    private final Learner learner;
    private final Checkpointer checkpointer;
    private final Map<String, Evaler> evalers = new LinkedHashMap<>();

    /** The resolved config as JSON, for the run directory and every checkpoint's index. */
    private final String configJson;

    private PrintWriter out = new PrintWriter(System.out, true);
    private boolean terminal = System.console() != null;
    private StepListener listener = (step, scalars) -> {};

    /** Called after every training step with the step's scalars (loss, learning rate, ...). */
    @FunctionalInterface
    public interface StepListener {
        /**
         * @param step the step just completed
         * @param scalars its scalars by name
         */
        void afterStep(long step, Map<String, Double> scalars);
    }

    /** Sets the listener called after every step (monitoring, tests). */
    public Trainer onStep(StepListener stepListener) {
        this.listener = stepListener;
        return this;
    }

    private Trainer(Config cfg) {
        super(cfg);
        this.cfg = cfg;
        this.model = cfg.model.instantiateAt(child("model"));
        this.input = cfg.input.instantiateAt(child("input"));
        this.learner = cfg.learner.instantiateAt(child("learner"));
        this.checkpointer = cfg.checkpointer.instantiateAt(child("checkpointer"));
        this.configJson = ConfigJson.toJson(cfg);
        cfg.evalers.forEach(
                (name, e) ->
                        evalers.put(name, e.instantiateAt(child("evalers") + "[" + name + "]")));
    }

    private String child(String field) {
        return ConfigPath.child(cfg.path(), field);
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    /** The model being trained. */
    public BaseModel model() {
        return model;
    }

    /**
     * Sends progress lines to {@code writer} instead of standard output.
     *
     * @param writer where progress and messages go
     * @param isTerminal whether to redraw one progress line in place (true) or print plain lines
     */
    public Trainer progressTo(PrintWriter writer, boolean isTerminal) {
        this.out = writer;
        this.terminal = isTerminal;
        return this;
    }

    /** Parameter shapes by path, as checkpoints must have them. */
    private Map<String, Shape> shapes() {
        Map<String, Shape> shapes = new TreeMap<>();
        model.paramSpecs().forEach((path, spec) -> shapes.put(path, spec.shape()));
        return shapes;
    }

    private Device device() {
        Engine engine = Engines.pytorch();
        return switch (cfg.device) {
            case "cpu" -> Device.cpu();
            case "gpu" -> Device.gpu();
            case "auto" -> engine.getGpuCount() > 0 ? Device.gpu() : Device.cpu();
            default -> Device.gpu(Integer.parseInt(cfg.device.substring(4)));
        };
    }

    /**
     * Trains in {@code trainerDir}, resuming from its newest complete checkpoint if it has one.
     *
     * @throws TrainingDivergedException if the loss becomes NaN or infinite (checkpoints stay)
     */
    public Result run(Path trainerDir) {
        writeConfig(trainerDir);
        Engine engine = Engines.pytorch();
        SortedMap<String, ParamSpec> specs = model.paramSpecs();
        try (NDManager root = NDManager.newBaseManager(device(), engine.getEngineName())) {
            ParamTree params = model.initParams(cfg.seed, root);
            OptimizerState optimizerState = learner.initState(specs, params, root);
            InputState inputState = InputState.start(cfg.input.seed());
            long start = 0;
            var restored =
                    Checkpointer.restoreLatest(
                            trainerDir, root, shapes(), true, w -> out.println("warning: " + w));
            if (restored.isPresent()) {
                TrainState s = restored.get();
                copyInto(params.asMap(), s.params(), "parameter");
                copyInto(optimizerState.arrays(), s.optimizerState(), "optimizer state");
                optimizerState.restoreStep(
                        ((Number) s.metadata().get("optimizerStep")).longValue());
                inputState = JSON.convertValue(s.metadata().get("input"), InputState.class);
                start = s.step();
                s.params().values().forEach(NDArray::close);
                s.optimizerState().values().forEach(NDArray::close);
                out.println("resumed from checkpoint step " + start + " in " + trainerDir);
            }
            specs.forEach((path, spec) -> params.get(path).setRequiresGradient(spec.trainable()));
            return loop(trainerDir, engine, root, params, optimizerState, inputState, start);
        }
    }

    /**
     * Evaluates the newest complete checkpoint in {@code trainerDir} with every evaler.
     *
     * @return the checkpoint's step and the results by evaler name
     * @throws io.axlearn.trainer.checkpoint.CheckpointException if there is no usable checkpoint
     */
    public Result evaluate(Path trainerDir) {
        Engine engine = Engines.pytorch();
        try (NDManager root = NDManager.newBaseManager(device(), engine.getEngineName())) {
            TrainState s =
                    Checkpointer.restoreLatest(
                                    trainerDir,
                                    root,
                                    shapes(),
                                    false,
                                    w -> out.println("warning: " + w))
                            .orElseThrow(
                                    () ->
                                            new io.axlearn.trainer.checkpoint.CheckpointException(
                                                    "no checkpoint in "
                                                            + trainerDir.resolve(Checkpointer.DIR)
                                                            + " to evaluate"));
            ParamTree params = ParamTree.of(s.params());
            Map<String, Map<String, WeightedScalar>> evaluations = new LinkedHashMap<>();
            evalers.forEach(
                    (name, evaler) -> evaluations.put(name, evaler.evaluate(model, params, root)));
            return new Result(s.step(), Double.NaN, evaluations);
        }
    }

    private Result loop(
            Path dir,
            Engine engine,
            NDManager root,
            ParamTree params,
            OptimizerState optimizerState,
            InputState inputState,
            long start) {
        Map<String, Map<String, WeightedScalar>> evaluations = new LinkedHashMap<>();
        double lastLoss = Double.NaN;
        long lastSaved = start;
        Progress progress = new Progress(out, terminal, start, cfg.maxStep, cfg.summaryEveryNSteps);
        Map<String, SummaryWriter> evalWriters = new LinkedHashMap<>();
        try (SummaryWriter trainWriter = new SummaryWriter(dir, "train");
                Input.BatchIterator batches = input.iterator(inputState)) {
            evalers.keySet().forEach(name -> evalWriters.put(name, new SummaryWriter(dir, name)));
            long windowStart = System.nanoTime();
            long windowFromStep = start;
            for (long step = start + 1; step <= cfg.maxStep; step++) {
                Batch batch = batches.next();
                Map<String, Double> scalars =
                        trainStep(engine, root, params, optimizerState, batch, step, lastSaved);
                inputState = batch.stateAfter();
                lastLoss = scalars.get("loss");
                listener.afterStep(step, scalars);
                progress.update(step, lastLoss, batch.size());
                if (step % cfg.summaryEveryNSteps == 0 || step == cfg.maxStep) {
                    double seconds = (System.nanoTime() - windowStart) / 1e9;
                    scalars.put("steps_per_second", (step - windowFromStep) / seconds);
                    trainWriter.write(step, scalars);
                    windowStart = System.nanoTime();
                    windowFromStep = step;
                }
                for (Map.Entry<String, Evaler> e : evalers.entrySet()) {
                    if (e.getValue().shouldRun(step) || step == cfg.maxStep) {
                        Map<String, WeightedScalar> result =
                                e.getValue().evaluate(model, params, root);
                        evaluations.put(e.getKey(), result);
                        Map<String, Double> means = new TreeMap<>();
                        result.forEach((k, v) -> means.put(k, v.mean()));
                        evalWriters.get(e.getKey()).write(step, means);
                        progress.message(
                                String.format(
                                        java.util.Locale.ROOT,
                                        "step %d eval %s: %s",
                                        step,
                                        e.getKey(),
                                        means));
                    }
                }
                if (checkpointer.shouldSave(step) || step == cfg.maxStep) {
                    save(dir, step, params, optimizerState, inputState, progress);
                    lastSaved = step;
                }
            }
        } finally {
            evalWriters.values().forEach(SummaryWriter::close);
        }
        return new Result(Math.max(start, cfg.maxStep), lastLoss, evaluations);
    }

    /** One training step in its own sub-manager; returns the scalars to summarise. */
    private Map<String, Double> trainStep(
            Engine engine,
            NDManager root,
            ParamTree params,
            OptimizerState optimizerState,
            Batch batch,
            long step,
            long lastSaved) {
        try (NDManager stepManager = root.newSubManager()) {
            ForwardContext ctx =
                    ForwardContext.of(
                            params, stepManager, true, Seeds.derive(cfg.seed, "step/" + step));
            BaseModel.Output output;
            try (GradientCollector collector = engine.newGradientCollector()) {
                output = model.forward(ctx, batch.toArrays(stepManager));
                collector.backward(output.loss());
            }
            Map<String, NDArray> grads = new HashMap<>();
            params.asMap()
                    .forEach(
                            (path, p) -> {
                                if (p.hasGradient()) {
                                    NDArray g = p.getGradient();
                                    g.attach(stepManager); // the handle dies with the step
                                    grads.put(path, g);
                                }
                            });
            double loss = output.loss().getFloat();
            if (!Double.isFinite(loss)) {
                grads.values().forEach(g -> g.muli(0f));
                throw new TrainingDivergedException(
                        "loss is "
                                + loss
                                + " at step "
                                + step
                                + "; stopped before applying it"
                                + (lastSaved > 0
                                        ? "; the last good checkpoint is step " + lastSaved
                                        : "; no checkpoint was saved yet"));
            }
            Learner.Output learnerOut = learner.step(step, params, grads, optimizerState);
            grads.values().forEach(g -> g.muli(0f)); // DJL accumulates into .grad across collectors
            ctx.outputs()
                    .stateUpdates()
                    .forEach((path, value) -> params.get(path).muli(0f).addi(value));
            Map<String, Double> scalars = new TreeMap<>(learnerOut.scalars());
            scalars.put("loss", loss);
            output.metrics().forEach((name, value) -> scalars.put(name, (double) value.getFloat()));
            // The batch's arrays alias its direct buffers: keep them alive through the step.
            java.lang.ref.Reference.reachabilityFence(batch);
            return scalars;
        }
    }

    private void save(
            Path dir,
            long step,
            ParamTree params,
            OptimizerState optimizerState,
            InputState inputState,
            Progress progress) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("input", JSON.convertValue(inputState, Map.class));
        metadata.put("optimizerStep", optimizerState.step());
        metadata.put("seed", cfg.seed);
        metadata.put("config", configJson);
        long t0 = System.nanoTime();
        checkpointer.save(
                dir, new TrainState(step, params.asMap(), optimizerState.arrays(), metadata));
        double ms = (System.nanoTime() - t0) / 1e6;
        progress.message(
                String.format(
                        java.util.Locale.ROOT, "saved checkpoint step %d in %.0f ms", step, ms));
    }

    private static void copyInto(
            Map<String, NDArray> targets, Map<String, NDArray> sources, String what) {
        if (!targets.keySet().equals(sources.keySet())) {
            throw new io.axlearn.trainer.checkpoint.CheckpointException(
                    "checkpoint "
                            + what
                            + " paths differ from the model's: has "
                            + sources.keySet()
                            + ", needs "
                            + targets.keySet());
        }
        targets.forEach((path, target) -> NDArrays.copyValues(sources.get(path), target));
    }

    private void writeConfig(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("config.json"), configJson + "\n");
            Files.writeString(dir.resolve("config.txt"), cfg + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot write the config into " + dir + ": " + e.getMessage(), e);
        }
    }
}

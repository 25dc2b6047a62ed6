package io.axlearn.trainer.launch;

import io.axlearn.core.config.ConfigBase;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.config.ConfigJson;
import io.axlearn.core.config.ConfigOverrides;
import io.axlearn.trainer.distributed.MpiCollective;
import io.axlearn.trainer.distributed.MpiEnvironment;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The {@code axlearn} command line.
 *
 * <pre>
 * axlearn list [--module M]
 * axlearn show  --module M --config C [--config-file F] [--set path=value]... [--format txt|json|yaml]
 * axlearn train --module M --config C --trainer-dir DIR [--config-file F] [--set path=value]...
 * axlearn eval  --module M --config C --trainer-dir DIR [--config-file F] [--set path=value]...
 * axlearn generate --trainer-dir DIR --prompt TEXT [--max-tokens N --temperature T --top-k K --top-p P --seed S]
 * axlearn serve --trainer-dir DIR [--host H --port P --api-key-file F --max-tokens N --max-concurrent C]
 * axlearn eval-api --endpoint URL (--task T | --task-file F) --output-dir DIR [--api-key-file F --model M]
 * axlearn launch --backend mpirun|slurm|kubernetes --nodes N --procs-per-node K [--image I] (then as train)
 * </pre>
 *
 * <p>Every command takes {@code --verbose}, which shows the engine's start-up log lines (DJL's
 * platform and thread lines, and on a machine with a CUDA runtime but no driver its two "Failed to
 * detect GPU count" warnings); without it they are left out.
 *
 * <p>Bad input (an unknown module, config or path, a value of the wrong type, a missing file)
 * prints one line starting with {@code error:} on standard error and exits with status 2; it never
 * prints a stack trace.
 */
@Command(
        name = "axlearn",
        mixinStandardHelpOptions = true,
        version = "axlearn-jvm 0.1.0",
        description = "Train and inspect named experiments.",
        subcommands = {
            Main.ListCommand.class,
            Main.ShowCommand.class,
            Main.TrainCommand.class,
            Main.EvalCommand.class,
            GenerateCommand.class,
            ReportCommand.class,
            BenchCommand.class,
            ServeCommand.class,
            EvalApiCommand.class,
            ConvertCommand.class,
            TranscribeCommand.class,
            LaunchCommand.class
        })
public final class Main implements Callable<Integer> {
    /** Exit status for bad input. */
    public static final int EXIT_BAD_INPUT = 2;

    /** Exit status when the loss became NaN or infinite. */
    public static final int EXIT_DIVERGED = 3;

    /** The logger prefix of DJL's start-up lines, as slf4j-simple's property names it. */
    static final String DJL_LOG_LEVEL_PROPERTY = "org.slf4j.simpleLogger.log.ai.djl";

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--verbose",
            scope = CommandLine.ScopeType.INHERIT,
            description =
                    "Show the engine's start-up log lines (DJL platform, threads, GPU check).")
    boolean verbose;

    /** Whether standard output is a terminal (progress redraws in place) for this process. */
    private static boolean terminal = false;

    /** Entry point of {@code ./axlearn} and {@code java -jar axlearn.jar}. */
    public static void main(String[] args) {
        terminal = System.console() != null;
        int status =
                run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        // One of several MPI ranks: end MPI cleanly, or bring every rank down with the failure
        // (the others would otherwise wait in their next collective).
        MpiCollective.ifStarted(
                mpi -> {
                    if (status == 0) {
                        mpi.close();
                    } else {
                        mpi.abort(status);
                    }
                });
        System.exit(status);
    }

    /** Runs the command line with the given streams and returns the exit status. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler(
                (ParameterException e, String[] a) -> {
                    err.println("error: " + e.getMessage());
                    err.println("run 'axlearn " + commandName(e) + "--help' for usage");
                    return EXIT_BAD_INPUT;
                });
        cli.setExecutionExceptionHandler(
                (e, commandLine, parseResult) -> {
                    if (e instanceof ConfigException
                            || e instanceof io.axlearn.trainer.checkpoint.CheckpointException) {
                        err.println("error: " + e.getMessage());
                        return EXIT_BAD_INPUT;
                    }
                    if (e instanceof io.axlearn.trainer.TrainingDivergedException) {
                        err.println("error: " + e.getMessage());
                        return EXIT_DIVERGED;
                    }
                    if (e instanceof java.io.UncheckedIOException) {
                        err.println("error: " + e.getMessage());
                        return EXIT_BAD_INPUT;
                    }
                    throw e;
                });
        cli.setExecutionStrategy(
                parseResult -> {
                    configureLogging(verboseRequested(parseResult));
                    return new CommandLine.RunLast().execute(parseResult);
                });
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {
            err.println(
                    "error: out of Java heap memory ("
                            + Runtime.getRuntime().maxMemory() / (1 << 20)
                            + " MB): lower input.batchSize, or raise -Xmx through"
                            + " AXLEARN_JAVA_OPTS");
            return EXIT_BAD_INPUT;
        }
    }

    /** Whether {@code --verbose} was given to the command or any of its subcommands. */
    private static boolean verboseRequested(CommandLine.ParseResult parseResult) {
        for (var r = parseResult; r != null; r = r.subcommand()) {
            if (r.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Sets the level of DJL's loggers before the engine loads (loggers read it when they are
     * created): {@code info} with {@code --verbose}, else {@code error}, which leaves out the
     * platform, thread-count and GPU-detection lines every start printed. Applies to the
     * slf4j-simple binding that the command-line jar ships; a level the user set with {@code
     * -Dorg.slf4j.simpleLogger.log.ai.djl=...} is kept unless {@code --verbose} is given.
     */
    static void configureLogging(boolean verbose) {
        if (verbose) {
            System.setProperty(DJL_LOG_LEVEL_PROPERTY, "info");
        } else if (System.getProperty(DJL_LOG_LEVEL_PROPERTY) == null) {
            System.setProperty(DJL_LOG_LEVEL_PROPERTY, "error");
        }
    }

    private static String commandName(ParameterException e) {
        var spec = e.getCommandLine().getCommandSpec();
        return spec.parent() == null ? "" : spec.name() + " ";
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** {@code axlearn list}: the named experiments on the class path. */
    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "List named experiments, one 'module config' a line.")
    static final class ListCommand implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Option(names = "--module", description = "Only this module.")
        String module;

        @Override
        public Integer call() {
            ExperimentRegistry registry = ExperimentRegistry.load();
            PrintWriter out = spec.commandLine().getOut();
            if (module != null) {
                registry.names(module).forEach(n -> out.println(module + " " + n));
            } else if (registry.names().isEmpty()) {
                out.println("(no named experiments on the class path)");
            } else {
                registry.names()
                        .forEach((m, names) -> names.forEach(n -> out.println(m + " " + n)));
            }
            out.flush();
            return 0;
        }
    }

    /** Options shared by every command that resolves one experiment config. */
    static final class ExperimentOptions {
        @Option(
                names = "--module",
                required = true,
                description = "Experiment module, e.g. text.charlm.")
        String module;

        @Option(names = "--config", required = true, description = "Experiment name in the module.")
        String config;

        @Option(
                names = "--config-file",
                description =
                        "YAML (.yaml/.yml/.json) or .properties file of path: value overrides.")
        Path configFile;

        @Option(
                names = "--set",
                paramLabel = "PATH=VALUE",
                description =
                        "Override one field; VALUE is JSON, else a string. Repeatable; wins over --config-file.")
        List<String> sets = new ArrayList<>();

        /** The named config with the file and command-line overrides applied, in that order. */
        ConfigBase<?> resolve() {
            ConfigBase<?> cfg = ExperimentRegistry.load().get(module, config);
            ConfigOverrides.Builder layers = ConfigOverrides.builder();
            if (configFile != null) {
                layers.file(configFile);
            }
            return layers.set(sets).build().applyTo(cfg);
        }
    }

    /** Output formats of {@code show}. */
    enum Format {
        txt,
        json,
        yaml
    }

    /** {@code axlearn show}: the resolved config; nothing runs. */
    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
            description = "Print the resolved config of an experiment; nothing runs.")
    static final class ShowCommand implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin ExperimentOptions experiment;

        @Option(
                names = "--format",
                defaultValue = "txt",
                description =
                        "txt (sorted path: value lines), json or yaml. Default: ${DEFAULT-VALUE}.")
        Format format;

        @Override
        public Integer call() {
            ConfigBase<?> cfg = experiment.resolve();
            String text =
                    switch (format) {
                        case txt -> cfg.toString();
                        case json -> ConfigJson.toJson(cfg);
                        case yaml -> ConfigJson.toYaml(cfg);
                    };
            PrintWriter out = spec.commandLine().getOut();
            out.println(text.stripTrailing());
            out.flush();
            return 0;
        }
    }

    /** Resolves an experiment that must be a trainer config. */
    static io.axlearn.trainer.Trainer.Config trainerConfig(ExperimentOptions experiment) {
        ConfigBase<?> cfg = experiment.resolve();
        if (!(cfg instanceof io.axlearn.trainer.Trainer.Config t)) {
            throw new ConfigException(
                    "experiment "
                            + experiment.module
                            + " "
                            + experiment.config
                            + " is a "
                            + cfg.typeName()
                            + ", not a trainer config; it can be shown but not trained");
        }
        return t;
    }

    /** {@code axlearn train}: trains, resuming from the newest checkpoint in the trainer dir. */
    @Command(
            name = "train",
            mixinStandardHelpOptions = true,
            description =
                    "Train an experiment; resumes from the newest checkpoint in --trainer-dir.")
    static final class TrainCommand implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin ExperimentOptions experiment;

        @Option(
                names = "--trainer-dir",
                required = true,
                description = "Run directory: config, summaries, checkpoints.")
        Path trainerDir;

        @Option(
                names = "--nproc",
                paramLabel = "N",
                description =
                        "Train data parallel on N processes of this machine (runs mpirun; each"
                                + " reads input.batchSize examples per step). Under mpirun/srun"
                                + " already, leave it out: the ranks come from MPI.")
        Integer nproc;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            if (nproc != null && nproc < 1) {
                throw new ConfigException("--nproc must be at least 1, got " + nproc);
            }
            if (nproc != null && nproc > 1 && MpiEnvironment.worldSize(System.getenv()) == 1) {
                // Bad input fails here, once, rather than on every rank.
                trainerConfig(experiment).instantiate();
                List<String> args = spec.commandLine().getParseResult().originalArgs();
                return LocalRanks.run(
                        nproc, LocalRanks.sameCommand(args), out, spec.commandLine().getErr());
            }
            io.axlearn.trainer.Trainer trainer =
                    trainerConfig(experiment).instantiate().progressTo(out, terminal);
            io.axlearn.trainer.Trainer.Result result;
            try (StopOnSignals signals =
                    StopOnSignals.install(trainer, spec.commandLine().getErr())) {
                try {
                    result = trainer.run(trainerDir);
                } catch (io.axlearn.trainer.TrainingStoppedException e) {
                    spec.commandLine().getErr().println("stopped: " + e.getMessage());
                    spec.commandLine().getErr().flush();
                    return signals.exitStatus();
                }
            }
            if (!trainer.leader()) {
                return 0; // rank 0 reports for all
            }
            out.printf(
                    java.util.Locale.ROOT,
                    "done: step %d, loss %.4f%n",
                    result.step(),
                    result.loss());
            result.evaluations()
                    .forEach(
                            (name, metrics) ->
                                    metrics.forEach(
                                            (k, v) ->
                                                    out.printf(
                                                            java.util.Locale.ROOT,
                                                            "eval %s %s %.4f%n",
                                                            name,
                                                            k,
                                                            v.mean())));
            out.flush();
            return 0;
        }
    }

    /** {@code axlearn eval}: evaluates the newest checkpoint with every evaler. */
    @Command(
            name = "eval",
            mixinStandardHelpOptions = true,
            description = "Evaluate the newest checkpoint in --trainer-dir with every evaler.")
    static final class EvalCommand implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin ExperimentOptions experiment;

        @Option(
                names = "--trainer-dir",
                required = true,
                description = "Run directory with checkpoints.")
        Path trainerDir;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            io.axlearn.trainer.Trainer trainer =
                    trainerConfig(experiment).instantiate().progressTo(out, false);
            io.axlearn.trainer.Trainer.Result result = trainer.evaluate(trainerDir);
            result.evaluations()
                    .forEach(
                            (name, metrics) ->
                                    metrics.forEach(
                                            (k, v) ->
                                                    out.printf(
                                                            java.util.Locale.ROOT,
                                                            "step %d eval %s %s %.4f (weight %.0f)%n",
                                                            result.step(),
                                                            name,
                                                            k,
                                                            v.mean(),
                                                            v.weight())));
            out.flush();
            return 0;
        }
    }
}

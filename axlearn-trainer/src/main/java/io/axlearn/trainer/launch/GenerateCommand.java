package io.axlearn.trainer.launch;

import ai.djl.ndarray.NDManager;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.config.ConfigJson;
import io.axlearn.core.module.BaseModel;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.module.TextGenerator;
import io.axlearn.core.ndarray.Engines;
import io.axlearn.trainer.Trainer;
import io.axlearn.trainer.checkpoint.Checkpoint;
import io.axlearn.trainer.checkpoint.CheckpointException;
import io.axlearn.trainer.checkpoint.Checkpointer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code axlearn generate}: continues a prompt with the model of a run, read from its {@code
 * config.json} and newest complete checkpoint, printing the prompt and then the text as it is
 * generated. The model must generate text ({@link TextGenerator}, e.g. {@code text/CausalLm}).
 */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description =
                "Continue --prompt with the model of --trainer-dir (its config.json and newest"
                        + " checkpoint), streaming the text as it comes.")
final class GenerateCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--trainer-dir", required = true, description = "Run directory.")
    Path trainerDir;

    @Option(names = "--prompt", required = true, description = "Text to continue.")
    String prompt;

    @Option(
            names = "--max-tokens",
            defaultValue = "200",
            description = "Most tokens to generate. Default: ${DEFAULT-VALUE}.")
    int maxTokens;

    @Option(
            names = "--temperature",
            defaultValue = "1.0",
            description = "Divides the logits; 0 is greedy. Default: ${DEFAULT-VALUE}.")
    double temperature;

    @Option(
            names = "--top-k",
            defaultValue = "0",
            description =
                    "Sample among the K most likely tokens; 0: all. Default: ${DEFAULT-VALUE}.")
    int topK;

    @Option(
            names = "--top-p",
            defaultValue = "1.0",
            description = "Nucleus sampling probability; 1: all. Default: ${DEFAULT-VALUE}.")
    double topP;

    @Option(
            names = "--seed",
            defaultValue = "0",
            description = "Seed of the draws. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Override
    public Integer call() {
        TextGenerator.Sampling sampling;
        try {
            sampling = new TextGenerator.Sampling(maxTokens, temperature, topK, topP, seed);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        BaseModel model = runConfig(trainerDir).model();
        if (!(model instanceof TextGenerator generator)) {
            throw new ConfigException(
                    "the model of "
                            + trainerDir
                            + " is a "
                            + model.getConfig().typeName()
                            + ", which does not generate text");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (NDManager root = Engines.pytorch().newBaseManager()) {
            Checkpoint checkpoint = latestCheckpoint(trainerDir, root, spec);
            out.print(prompt);
            out.flush();
            generator.generate(
                    ParamTree.of(checkpoint.params()),
                    root,
                    prompt,
                    sampling,
                    piece -> {
                        out.print(piece);
                        out.flush();
                    });
            out.println();
            out.flush();
        }
        return 0;
    }

    /** The newest complete checkpoint of the run in {@code trainerDir}, warnings to stderr. */
    static Checkpoint latestCheckpoint(
            Path trainerDir, NDManager root, CommandLine.Model.CommandSpec spec) {
        return Checkpointer.restoreLatest(
                        trainerDir,
                        root,
                        null,
                        true,
                        w -> spec.commandLine().getErr().println("warning: " + w))
                .orElseThrow(
                        () -> new CheckpointException(trainerDir + " has no complete checkpoint"));
    }

    /** The trainer of the run in {@code trainerDir}, built from its {@code config.json}. */
    static Trainer runConfig(Path trainerDir) {
        Path file = trainerDir.resolve("config.json");
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(
                    "--trainer-dir " + trainerDir + " has no config.json; is it a run directory?");
        }
        try {
            return ConfigJson.fromJson(Files.readString(file), Trainer.Config.class).instantiate();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}

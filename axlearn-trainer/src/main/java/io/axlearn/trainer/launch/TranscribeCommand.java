package io.axlearn.trainer.launch;

import ai.djl.ndarray.NDManager;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.module.BaseModel;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.module.Transcriber;
import io.axlearn.core.ndarray.Engines;
import io.axlearn.trainer.checkpoint.Checkpoint;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code axlearn transcribe}: prints the transcript of each WAV file with the speech model of a
 * run, read from its {@code config.json} and newest complete checkpoint. The model must transcribe
 * ({@link Transcriber}, e.g. {@code audio/CtcModel}). With several files each line is {@code
 * file<TAB>transcript}.
 */
@Command(
        name = "transcribe",
        mixinStandardHelpOptions = true,
        description =
                "Print the transcript of each WAV file with the model of --trainer-dir (its"
                        + " config.json and newest checkpoint).")
final class TranscribeCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--trainer-dir", required = true, description = "Run directory.")
    Path trainerDir;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "WAV files to transcribe.")
    List<Path> files;

    @Override
    public Integer call() {
        BaseModel model = io.axlearn.trainer.RunDirectory.trainer(trainerDir).model();
        if (!(model instanceof Transcriber transcriber)) {
            throw new ConfigException(
                    "the model of "
                            + trainerDir
                            + " is a "
                            + model.getConfig().typeName()
                            + ", which does not transcribe speech");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (NDManager root = Engines.pytorch().newBaseManager()) {
            Checkpoint checkpoint =
                    io.axlearn.trainer.RunDirectory.latestCheckpoint(
                            trainerDir,
                            root,
                            w -> spec.commandLine().getErr().println("warning: " + w));
            ParamTree params = ParamTree.of(checkpoint.params());
            for (Path file : files) {
                String text;
                try (NDManager pass = root.newSubManager()) {
                    text = transcriber.transcribe(params, pass, file);
                }
                out.println(files.size() == 1 ? text : file + "\t" + text);
                out.flush();
            }
        }
        return 0;
    }
}

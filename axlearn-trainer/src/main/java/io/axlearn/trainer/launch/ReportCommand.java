package io.axlearn.trainer.launch;

import io.axlearn.trainer.report.RunReport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code axlearn report}: writes one self-contained HTML page about a run ({@link RunReport}):
 * every summary scalar against the step, throughput, checkpoints and the config. Works on a run in
 * progress too: it reads what the trainer has written so far.
 */
@Command(
        name = "report",
        mixinStandardHelpOptions = true,
        description =
                "Write one self-contained HTML page with the scalars, throughput, checkpoints and"
                        + " config of --trainer-dir.")
final class ReportCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--trainer-dir", required = true, description = "The run directory.")
    Path trainerDir;

    @Option(
            names = "--output",
            description = "The HTML file to write. Default: <trainer-dir>/report.html.")
    Path output;

    @Override
    public Integer call() {
        Path file = output == null ? trainerDir.resolve("report.html") : output;
        RunReport.write(trainerDir, file);
        spec.commandLine().getOut().println("wrote " + file);
        spec.commandLine().getOut().flush();
        return 0;
    }
}

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

    @Option(
            names = "--png",
            description = "Also draw --metric against the step into this PNG (for docs).")
    Path png;

    @Option(
            names = "--metric",
            defaultValue = "loss",
            description = "The scalar of --png. Default: ${DEFAULT-VALUE}.")
    String metric;

    @Option(
            names = "--png-size",
            defaultValue = "640x360",
            description = "WIDTHxHEIGHT of --png in pixels. Default: ${DEFAULT-VALUE}.")
    String pngSize;

    @Override
    public Integer call() {
        if (png != null) {
            String[] wh = pngSize.split("x");
            if (wh.length != 2 || !wh[0].matches("\\d{3,4}") || !wh[1].matches("\\d{3,4}")) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "--png-size must be WIDTHxHEIGHT with 100 to 9999 pixels each, got "
                                + pngSize);
            }
            io.axlearn.trainer.report.CurvePng.write(
                    trainerDir, metric, png, Integer.parseInt(wh[0]), Integer.parseInt(wh[1]));
            spec.commandLine().getOut().println("wrote " + png);
        }
        Path file = output == null ? trainerDir.resolve("report.html") : output;
        RunReport.write(trainerDir, file);
        spec.commandLine().getOut().println("wrote " + file);
        spec.commandLine().getOut().flush();
        return 0;
    }
}

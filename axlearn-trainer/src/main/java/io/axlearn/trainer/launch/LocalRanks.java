package io.axlearn.trainer.launch;

import io.axlearn.core.config.ConfigException;
import io.axlearn.trainer.distributed.MpiRun;
import io.axlearn.trainer.distributed.MpiShim;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code axlearn train --nproc N}: runs this same command as {@code N} MPI ranks on this machine
 * under {@code mpirun} (see {@link MpiRun} for its settings), passes the ranks' output through, and
 * turns mpirun's multi-line reports into one line: which rank failed and how, and that the same
 * command resumes from the newest checkpoint.
 */
final class LocalRanks {
    private static final Pattern SIGNALLED =
            Pattern.compile(
                    "process rank (\\d+) with PID \\d+ on node \\S+ exited on signal (\\d+)"
                            + " \\(([^)]*)\\)");
    private static final Pattern RANK = Pattern.compile("Process name: \\[\\[\\d+,\\d+],(\\d+)]");
    private static final Pattern EXIT_CODE = Pattern.compile("Exit code:\\s+(\\d+)");

    private LocalRanks() {}

    /**
     * The java command line of this process, without the options {@code --nproc N} / {@code
     * --nproc=N} among {@code args}.
     */
    static List<String> sameCommand(List<String> args) {
        List<String> c = new ArrayList<>();
        c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        c.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        c.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--nproc")) {
                i++;
            } else if (!a.startsWith("--nproc=")) {
                c.add(a);
            }
        }
        return c;
    }

    /**
     * Runs {@code processes} ranks of {@code program} and returns mpirun's exit status.
     *
     * @param out where the ranks' output and the one-line failure report go
     */
    static int run(int processes, List<String> program, PrintWriter out, PrintWriter err) {
        String missing = MpiShim.ensureInstalled();
        if (missing != null) {
            throw new ConfigException("--nproc " + processes + ": " + missing);
        }
        List<String> command = MpiRun.local(processes, program).command();
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new ConfigException("--nproc: cannot start mpirun: " + e.getMessage());
        }
        String failure = null;
        boolean inReport = false;
        String reportRank = null;
        Set<String> errorsSeen = new HashSet<>();
        // When a rank dies, mpirun sends SIGTERM to the others, which then say they will save:
        // such lines are shown only if the run did not fail (the signal came from the user).
        List<String> signalLines = new ArrayList<>();
        try (BufferedReader lines =
                new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            p.getOutputStream().close();
            for (String line; (line = lines.readLine()) != null; ) {
                if (line.startsWith("-----")) {
                    inReport = !inReport;
                    continue;
                }
                if (inReport) {
                    Matcher signalled = SIGNALLED.matcher(line);
                    Matcher rank = RANK.matcher(line);
                    Matcher code = EXIT_CODE.matcher(line);
                    if (signalled.find()) {
                        failure =
                                "rank "
                                        + signalled.group(1)
                                        + " was killed by signal "
                                        + signalled.group(2)
                                        + " ("
                                        + signalled.group(3)
                                        + ")";
                    } else if (rank.find()) {
                        reportRank = rank.group(1);
                    } else if (code.find() && failure == null) {
                        failure =
                                "rank "
                                        + (reportRank == null ? "?" : reportRank)
                                        + " exited with status "
                                        + code.group(1);
                    }
                    continue;
                }
                if (line.startsWith("received SIG")) {
                    signalLines.add(line);
                    continue;
                }
                if (line.startsWith("error: ")) {
                    if (errorsSeen.add(line)) { // every rank may report the same: print it once
                        err.println(line);
                        err.flush();
                    }
                    continue;
                }
                out.println(line);
                out.flush();
            }
            int status = p.waitFor();
            if (failure == null) {
                signalLines.forEach(out::println);
                out.flush();
            } else if (status != 0 && errorsSeen.isEmpty()) { // else the ranks said why
                err.println(
                        "error: "
                                + failure
                                + "; mpirun stopped the other ranks. Run the same command to"
                                + " resume from the newest complete checkpoint");
                err.flush();
            }
            return status;
        } catch (IOException e) {
            throw new ConfigException("--nproc: lost mpirun's output: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroy();
            return 130;
        }
    }
}

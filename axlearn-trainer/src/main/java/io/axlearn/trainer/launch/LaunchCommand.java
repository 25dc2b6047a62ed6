package io.axlearn.trainer.launch;

import io.axlearn.core.config.ConfigException;
import io.axlearn.trainer.Trainer;
import io.axlearn.trainer.distributed.ClusterLaunch;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code axlearn launch}: prints (or writes) what starts a data-parallel run on a cluster, from the
 * same experiment options as {@code axlearn train}, which it checks first:
 *
 * <pre>
 * axlearn launch --backend mpirun|slurm|kubernetes --nodes N --procs-per-node K [--image I]
 *     [--kind mpijob|trainjob] [--mpi pmix|pmi2] [--output FILE] --module M --config C
 *     --trainer-dir DIR [--set ...]
 * </pre>
 */
@Command(
        name = "launch",
        mixinStandardHelpOptions = true,
        description =
                "Print the mpirun line, Slurm batch script or Kubernetes manifest that trains an"
                        + " experiment on several machines (see docs/distributed.md).")
final class LaunchCommand implements Callable<Integer> {
    /** Launch targets. */
    enum Backend {
        mpirun,
        slurm,
        kubernetes
    }

    /** Kubernetes job kinds. */
    enum Kind {
        mpijob,
        trainjob
    }

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin Main.ExperimentOptions experiment;

    @Option(
            names = "--trainer-dir",
            required = true,
            description = "Run directory, on storage every node sees.")
    Path trainerDir;

    @Option(names = "--backend", required = true, description = "mpirun, slurm or kubernetes.")
    Backend backend;

    @Option(
            names = "--nodes",
            defaultValue = "1",
            description = "Machines. Default: ${DEFAULT-VALUE}.")
    int nodes;

    @Option(
            names = "--procs-per-node",
            defaultValue = "1",
            description = "Ranks per machine (one per GPU). Default: ${DEFAULT-VALUE}.")
    int procsPerNode;

    @Option(
            names = "--threads-per-proc",
            defaultValue = "1",
            description = "Intra-op threads of each rank. Default: ${DEFAULT-VALUE}.")
    int threadsPerProc;

    @Option(
            names = "--gpus-per-node",
            defaultValue = "0",
            description = "GPUs to request per machine.")
    int gpusPerNode;

    @Option(
            names = "--mpi",
            defaultValue = "pmix",
            description =
                    "slurm: srun's MPI plugin (srun --mpi=list): pmix for Open MPI, pmi2 for MPICH,"
                            + " Intel MPI and MVAPICH. Default: ${DEFAULT-VALUE}.")
    String srunMpi;

    @Option(
            names = "--image",
            description = "Container image with the axlearn checkout (kubernetes).")
    String image;

    @Option(
            names = "--kind",
            defaultValue = "trainjob",
            description =
                    "kubernetes: trainjob (Kubeflow Trainer) or mpijob (mpi-operator)."
                            + " Default: ${DEFAULT-VALUE}.")
    Kind kind;

    @Option(
            names = "--runtime",
            defaultValue = "mpi-distributed",
            description =
                    "trainjob: the ClusterTrainingRuntime with an MPI policy. Default:"
                            + " ${DEFAULT-VALUE}.")
    String runtime;

    @Option(
            names = "--volume-claim",
            description = "kubernetes: persistent volume claim holding the trainer dir.")
    String volumeClaim;

    @Option(
            names = "--mount-path",
            defaultValue = "/runs",
            description = "kubernetes: where the claim is mounted. Default: ${DEFAULT-VALUE}.")
    String mountPath;

    @Option(
            names = "--name",
            description = "Job name. Default: the experiment's, as axlearn-MODULE-CONFIG.")
    String name;

    @Option(
            names = "--restarts",
            defaultValue = "3",
            description =
                    "Whole-job restarts before it fails (each resumes). Default: ${DEFAULT-VALUE}.")
    int restarts;

    @Option(
            names = "--axlearn",
            defaultValue = "./axlearn",
            description =
                    "The launcher each rank runs, as the nodes see it. Default: ${DEFAULT-VALUE}.")
    String axlearn;

    @Option(names = "--output", description = "Write to this file instead of standard output.")
    Path output;

    @Override
    public Integer call() {
        // The run must resolve, and its learner (schedule, decay rules) validate, before anything
        // is launched: a bad value found by every rank after the job starts costs a queue wait.
        // The input is not built here, since that may read or generate a data set.
        Trainer.Config trainer = Main.trainerConfig(experiment);
        trainer.learner().instantiateAt("learner");
        if (backend == Backend.kubernetes && image == null) {
            throw new ConfigException("--backend kubernetes needs --image (the training image)");
        }
        if (backend == Backend.kubernetes
                && volumeClaim != null
                && !trainerDir.toString().startsWith(mountPath + "/")) {
            throw new ConfigException(
                    "--trainer-dir "
                            + trainerDir
                            + " is not under --mount-path "
                            + mountPath
                            + ", where --volume-claim "
                            + volumeClaim
                            + " is mounted: the ranks would not share it");
        }
        String jobName =
                name != null
                        ? name
                        : ("axlearn-" + experiment.module + "-" + experiment.config)
                                .toLowerCase(java.util.Locale.ROOT)
                                .replaceAll("[^a-z0-9-]", "-");
        String text;
        try {
            ClusterLaunch launch =
                    new ClusterLaunch(
                            jobName,
                            nodes,
                            procsPerNode,
                            threadsPerProc,
                            gpusPerNode,
                            image,
                            volumeClaim,
                            mountPath,
                            restarts,
                            trainCommand());
            text =
                    switch (backend) {
                        case mpirun -> launch.mpirunLine() + "\n";
                        case slurm -> launch.sbatchScript(srunMpi);
                        case kubernetes ->
                                ClusterLaunch.yaml(
                                        kind == Kind.mpijob
                                                ? launch.mpiJob()
                                                : launch.trainJob(runtime));
                    };
        } catch (IllegalArgumentException e) {
            throw new ConfigException("launch: " + e.getMessage());
        }
        if (output != null) {
            try {
                Files.writeString(output, text);
            } catch (IOException e) {
                throw new ConfigException("cannot write " + output + ": " + e.getMessage());
            }
            spec.commandLine().getErr().println("wrote " + output);
            spec.commandLine().getErr().flush();
        } else {
            PrintWriter out = spec.commandLine().getOut();
            out.print(text);
            out.flush();
        }
        return 0;
    }

    /** {@code ./axlearn train} with this command's experiment options. */
    private List<String> trainCommand() {
        List<String> c = new ArrayList<>(List.of(axlearn, "train", "--module", experiment.module));
        c.addAll(List.of("--config", experiment.config, "--trainer-dir", trainerDir.toString()));
        if (experiment.configFile != null) {
            c.addAll(List.of("--config-file", experiment.configFile.toString()));
        }
        for (String s : experiment.sets) {
            c.addAll(List.of("--set", s));
        }
        return c;
    }
}

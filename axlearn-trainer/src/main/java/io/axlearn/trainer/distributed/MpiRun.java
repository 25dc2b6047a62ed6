package io.axlearn.trainer.distributed;

import java.util.ArrayList;
import java.util.List;

/**
 * An Open MPI {@code mpirun} command line that starts {@code processes} copies of a program on this
 * machine (or, with a host file, across machines), with the settings JVM ranks need:
 *
 * <ul>
 *   <li>{@code --bind-to none}: each rank's libtorch threads are not pinned to one core, and {@code
 *       OMP_NUM_THREADS} and {@code MKL_NUM_THREADS} (which libtorch's intra-op pool follows) give
 *       each rank its share of the cores (one each when there are more ranks than cores);
 *   <li>{@code --allow-run-as-root} when asked (containers; the local user is root);
 *   <li>{@code --oversubscribe} when there are more ranks than cores;
 *   <li>{@code btl_vader_single_copy_mechanism none}: shared memory without cross-memory attach,
 *       which containers forbid;
 *   <li>{@code opal_signal} empty: Open MPI leaves SIGSEGV, SIGBUS and SIGFPE to the JVM, which
 *       uses them for its own null checks and safepoints.
 * </ul>
 *
 * @param processes ranks to start
 * @param threadsPerRank intra-op threads of each rank (libtorch, OpenMP, MKL)
 * @param oversubscribe allow more ranks than cores
 * @param allowRunAsRoot pass {@code --allow-run-as-root} (containers run as root)
 * @param extraOptions more mpirun options, before the program (a host file, {@code -x VAR})
 * @param program the program and its arguments, run by every rank
 */
public record MpiRun(
        int processes,
        int threadsPerRank,
        boolean oversubscribe,
        boolean allowRunAsRoot,
        List<String> extraOptions,
        List<String> program) {

    public MpiRun {
        if (processes < 1) {
            throw new IllegalArgumentException("processes must be at least 1, got " + processes);
        }
        extraOptions = List.copyOf(extraOptions);
        program = List.copyOf(program);
    }

    /** {@code processes} ranks of {@code program} on this machine, sharing its cores. */
    public static MpiRun local(int processes, List<String> program) {
        int cores = Runtime.getRuntime().availableProcessors();
        return new MpiRun(
                processes,
                Math.max(1, cores / processes),
                processes > cores,
                "root".equals(System.getProperty("user.name")),
                List.of(),
                program);
    }

    /** The command line. */
    public List<String> command() {
        List<String> c = new ArrayList<>(List.of("mpirun", "-np", Integer.toString(processes)));
        if (allowRunAsRoot) {
            c.add("--allow-run-as-root");
        }
        c.addAll(List.of("--bind-to", "none"));
        if (oversubscribe) {
            c.add("--oversubscribe");
        }
        c.addAll(List.of("-mca", "btl_vader_single_copy_mechanism", "none"));
        c.addAll(List.of("-mca", "opal_signal", ""));
        String threads = Integer.toString(threadsPerRank);
        for (String v : new String[] {"OMP_NUM_THREADS", "MKL_NUM_THREADS"}) {
            c.addAll(List.of("-x", v + "=" + threads));
        }
        c.addAll(extraOptions);
        c.addAll(program);
        return c;
    }
}

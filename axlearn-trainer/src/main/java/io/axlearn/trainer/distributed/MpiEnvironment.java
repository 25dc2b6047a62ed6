package io.axlearn.trainer.distributed;

import java.util.Map;

/**
 * What the MPI launcher told this process through its environment, read before MPI starts: Open
 * MPI's {@code mpirun} sets {@code OMPI_COMM_WORLD_SIZE}, MPICH's and Intel's {@code PMI_SIZE},
 * MVAPICH {@code MV2_COMM_WORLD_SIZE}, and Slurm's {@code srun --mpi=pmix} {@code PMIX_RANK} with
 * {@code SLURM_NTASKS}.
 */
public final class MpiEnvironment {
    private MpiEnvironment() {}

    /** The world size the launcher announced, 1 when the process was not started by one. */
    public static int worldSize(Map<String, String> env) {
        for (String name :
                new String[] {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "MV2_COMM_WORLD_SIZE"}) {
            Integer size = parse(env.get(name));
            if (size != null) {
                return size;
            }
        }
        if (env.containsKey("PMIX_RANK")) {
            Integer size = parse(env.get("SLURM_NTASKS"));
            if (size != null) {
                return size;
            }
        }
        return 1;
    }

    private static Integer parse(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}

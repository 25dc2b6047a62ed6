package io.axlearn.trainer.distributed;

import java.nio.ByteBuffer;

/**
 * The collective operations data-parallel training needs, over a fixed group of {@link #size()}
 * processes ("ranks"). Every rank must call the same operations in the same order with buffers of
 * the same sizes; each call returns once this rank's part is done.
 *
 * <p>Buffers are direct {@link ByteBuffer}s, used from position 0 to their capacity (the position
 * and limit are ignored): a direct buffer from DJL's {@code NDArray.toByteBuffer(true)} aliases a
 * CPU tensor's storage, so an in-place {@link #allReduce} on it updates the tensor with no copy.
 *
 * <p>Implementations: {@link SingleProcess} (one rank, every operation is local) and {@link
 * MpiCollective} (the system MPI). {@link #fromEnvironment()} picks one from how the process was
 * launched.
 */
public interface Collective extends AutoCloseable {

    /** Element types of reductions. */
    enum DType {
        FLOAT32(4),
        FLOAT64(8),
        INT32(4),
        INT64(8);

        private final int bytes;

        DType(int bytes) {
            this.bytes = bytes;
        }

        /** Bytes per element. */
        public int bytes() {
            return bytes;
        }
    }

    /** Reduction operators. */
    enum Op {
        SUM,
        MIN,
        MAX
    }

    /** This process's rank in {@code [0, size())}. */
    int rank();

    /** The number of processes. */
    int size();

    /** This process's rank among the processes on its machine (the GPU it should use). */
    int localRank();

    /**
     * Reduces {@code buffer} across all ranks with {@code op} and leaves the result in {@code
     * buffer} on every rank.
     *
     * @param buffer direct; its capacity a multiple of {@code type.bytes()}
     */
    void allReduce(ByteBuffer buffer, DType type, Op op);

    /** Overwrites {@code buffer} on every rank with rank {@code root}'s bytes. */
    void broadcast(ByteBuffer buffer, int root);

    /**
     * Gathers every rank's {@code send} into {@code receive}, rank {@code r}'s bytes at offset
     * {@code r * send.capacity()}, on every rank.
     *
     * @param receive direct, of capacity {@code size() * send.capacity()}
     */
    void allGather(ByteBuffer send, ByteBuffer receive);

    /**
     * Reduces {@code send} (of {@code size() * n} elements) across ranks with {@code op} and leaves
     * block {@code rank()} of the result, elements {@code [rank() * n, (rank() + 1) * n)}, in
     * {@code receive} (of {@code n} elements).
     */
    void reduceScatter(ByteBuffer send, ByteBuffer receive, DType type, Op op);

    /** Returns once every rank has called it. */
    void barrier();

    /**
     * Ends every rank's process with {@code code}, at once; for a failure that leaves the ranks out
     * of step (the others would wait forever in their next collective). Does not return.
     */
    void abort(int code);

    /** Ends the group (MPI_Finalize); the collective cannot be used afterwards. */
    @Override
    void close();

    /**
     * The collective this process was launched into: {@link MpiCollective} when an MPI launcher
     * ({@code mpirun}, {@code srun --mpi=pmix}, a Kubeflow MPIJob) started it as one of several
     * ranks, else {@link SingleProcess}.
     *
     * @throws CollectiveException if launched as several ranks but MPI cannot be loaded
     */
    static Collective fromEnvironment() {
        return MpiEnvironment.worldSize(System.getenv()) > 1
                ? MpiCollective.start()
                : SingleProcess.INSTANCE;
    }
}

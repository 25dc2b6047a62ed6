package io.axlearn.trainer.distributed;

import java.nio.ByteBuffer;

/**
 * {@link Collective} on the system MPI (Open MPI, MPICH, Intel MPI, Cray MPICH: any MPI-3 library)
 * through the project's JNI shim, which {@link MpiShim} compiles with {@code mpicc} at first use.
 * Direct buffers go to MPI by address, with no copy. One per process: MPI initialises once, with
 * thread level {@code MPI_THREAD_SERIALIZED} (calls from any thread, one at a time).
 */
public final class MpiCollective implements Collective {
    private static MpiCollective instance;

    private final int rank;
    private final int size;
    private final int localRank;
    private boolean closed;

    private MpiCollective(int[] info) {
        this.rank = info[0];
        this.size = info[1];
        this.localRank = info[2];
    }

    /**
     * Loads the shim (compiling it, and installing Open MPI with apt-get when running as root where
     * it is missing) and initialises MPI; the same instance on every call.
     *
     * @throws CollectiveException if MPI cannot be loaded or initialised
     */
    public static synchronized MpiCollective start() {
        if (instance == null) {
            System.load(MpiShim.library().toString());
            instance = new MpiCollective(MpiNative.init());
        }
        return instance;
    }

    /** Calls {@code action} with the instance if {@link #start} has been called in this process. */
    public static synchronized void ifStarted(java.util.function.Consumer<MpiCollective> action) {
        if (instance != null) {
            action.accept(instance);
        }
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int localRank() {
        return localRank;
    }

    @Override
    public synchronized void allReduce(ByteBuffer buffer, DType type, Op op) {
        int count = Buffers.checkElements(buffer, type);
        if (count > 0) {
            MpiNative.allReduce(buffer, count, type.ordinal(), op.ordinal());
        }
    }

    @Override
    public synchronized void broadcast(ByteBuffer buffer, int root) {
        if (root < 0 || root >= size) {
            throw new IllegalArgumentException("root " + root + " is not a rank of " + size);
        }
        if (buffer.capacity() > 0) {
            MpiNative.broadcast(buffer, buffer.capacity(), root);
        }
    }

    @Override
    public synchronized void allGather(ByteBuffer send, ByteBuffer receive) {
        Buffers.checkCapacity(receive, (long) size * send.capacity(), "receive");
        if (send.capacity() > 0) {
            MpiNative.allGather(send, receive, send.capacity());
        }
    }

    @Override
    public synchronized void reduceScatter(ByteBuffer send, ByteBuffer receive, DType type, Op op) {
        int count = Buffers.checkElements(receive, type);
        Buffers.checkCapacity(send, (long) size * receive.capacity(), "send");
        if (count > 0) {
            MpiNative.reduceScatter(send, receive, count, type.ordinal(), op.ordinal());
        }
    }

    @Override
    public synchronized void barrier() {
        MpiNative.barrier();
    }

    @Override
    public void abort(int code) {
        MpiNative.abort(code);
        Runtime.getRuntime().halt(code);
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            MpiNative.finalizeMpi();
        }
    }
}

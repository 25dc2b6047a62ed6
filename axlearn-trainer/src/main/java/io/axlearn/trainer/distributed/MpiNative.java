package io.axlearn.trainer.distributed;

import java.nio.ByteBuffer;

/** The entry points of the JNI shim ({@code src/main/native/axlearn_mpi.c}). */
final class MpiNative {
    private MpiNative() {}

    /** Initialises MPI once; returns {rank, size, localRank, localSize}. */
    static native int[] init();

    static native void allReduce(ByteBuffer buffer, int count, int dtype, int op);

    static native void broadcast(ByteBuffer buffer, int bytes, int root);

    static native void allGather(ByteBuffer send, ByteBuffer receive, int bytes);

    static native void reduceScatter(
            ByteBuffer send, ByteBuffer receive, int count, int dtype, int op);

    static native void barrier();

    static native void abort(int code);

    static native void finalizeMpi();
}

package io.axlearn.trainer.distributed;

import java.nio.ByteBuffer;

/** One rank: reductions and broadcasts leave the buffer as it is, gathers copy. */
public final class SingleProcess implements Collective {
    /** The single-process collective. */
    public static final SingleProcess INSTANCE = new SingleProcess();

    private SingleProcess() {}

    @Override
    public int rank() {
        return 0;
    }

    @Override
    public int size() {
        return 1;
    }

    @Override
    public int localRank() {
        return 0;
    }

    @Override
    public void allReduce(ByteBuffer buffer, DType type, Op op) {
        Buffers.checkElements(buffer, type);
    }

    @Override
    public void broadcast(ByteBuffer buffer, int root) {
        if (root != 0) {
            throw new IllegalArgumentException("root " + root + " is not a rank of 1 process");
        }
    }

    @Override
    public void allGather(ByteBuffer send, ByteBuffer receive) {
        Buffers.checkCapacity(receive, send.capacity(), "receive");
        receive.duplicate().clear().put(send.duplicate().clear());
    }

    @Override
    public void reduceScatter(ByteBuffer send, ByteBuffer receive, DType type, Op op) {
        Buffers.checkCapacity(send, receive.capacity(), "send");
        receive.duplicate().clear().put(send.duplicate().clear());
    }

    @Override
    public void barrier() {}

    @Override
    public void abort(int code) {
        Runtime.getRuntime().halt(code);
    }

    @Override
    public void close() {}
}

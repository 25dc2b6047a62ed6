package io.axlearn.trainer.distributed;

import java.nio.ByteBuffer;

/** Argument checks shared by the collectives. */
final class Buffers {
    private Buffers() {}

    static int checkElements(ByteBuffer buffer, Collective.DType type) {
        if (buffer.capacity() % type.bytes() != 0) {
            throw new IllegalArgumentException(
                    "buffer of " + buffer.capacity() + " bytes is not a whole number of " + type);
        }
        return buffer.capacity() / type.bytes();
    }

    static void checkCapacity(ByteBuffer buffer, long bytes, String name) {
        if (buffer.capacity() != bytes) {
            throw new IllegalArgumentException(
                    name + " buffer has " + buffer.capacity() + " bytes, needs " + bytes);
        }
    }
}

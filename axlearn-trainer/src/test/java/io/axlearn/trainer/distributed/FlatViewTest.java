package io.axlearn.trainer.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlatViewTest {

    private static ByteBuffer bytes(int... values) {
        ByteBuffer b = ByteBuffer.allocateDirect(values.length);
        for (int i = 0; i < values.length; i++) {
            b.put(i, (byte) values[i]);
        }
        return b;
    }

    private static byte[] array(ByteBuffer b) {
        byte[] out = new byte[b.capacity()];
        b.get(0, out);
        return out;
    }

    @Test
    void readsAcrossPartsAndEmptyPartsAndZeroFillsPastTheEnd() {
        FlatView v = new FlatView(List.of(bytes(1, 2, 3), bytes(), bytes(4), bytes(5, 6)));
        assertEquals(6, v.length());
        ByteBuffer block = ByteBuffer.allocateDirect(4);
        v.read(2, block);
        assertArrayEquals(new byte[] {3, 4, 5, 6}, array(block));
        v.read(4, block);
        assertArrayEquals(new byte[] {5, 6, 0, 0}, array(block));
        v.read(8, block);
        assertArrayEquals(new byte[] {0, 0, 0, 0}, array(block));
    }

    @Test
    void writesAcrossPartsAndDropsBytesPastTheEnd() {
        ByteBuffer a = bytes(0, 0, 0);
        ByteBuffer b = bytes(0);
        ByteBuffer c = bytes(0, 0);
        FlatView v = new FlatView(List.of(a, bytes(), b, c));
        v.write(1, bytes(7, 8, 9, 10, 11, 12, 13));
        assertArrayEquals(new byte[] {0, 7, 8}, array(a));
        assertArrayEquals(new byte[] {9}, array(b));
        assertArrayEquals(new byte[] {10, 11}, array(c));
        new FlatView(List.of()).write(0, bytes(1)); // nothing to write into
    }
}

package io.axlearn.trainer.summary;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * TensorBoard event files: TFRecord framing (little-endian length, masked CRC32C of the length, the
 * data, masked CRC32C of the data) around hand-encoded {@code Event} protocol buffers: {@code
 * Event{wall_time=1 (double), step=2 (int64), file_version=3 (string), summary=5}}, {@code
 * Summary{value=1 (repeated)}}, {@code Value{tag=1 (string), simple_value=2 (float)}}.
 */
public final class EventFile {
    private static final int MASK_DELTA = 0xa282ead8;

    private EventFile() {}

    /** TFRecord's masked CRC32C: {@code ((crc >>> 15) | (crc << 17)) + 0xa282ead8}. */
    public static int maskedCrc(byte[] data, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(data, offset, length);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + MASK_DELTA;
    }

    /** Appends one TFRecord holding {@code data} to {@code out}. */
    static void writeRecord(OutputStream out, byte[] data) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        header.putLong(data.length);
        header.putInt(maskedCrc(header.array(), 0, 8));
        ByteBuffer footer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        footer.putInt(maskedCrc(data, 0, data.length));
        out.write(header.array());
        out.write(data);
        out.write(footer.array());
    }

    /** The {@code Event} that opens every file: wall time and {@code brain.Event:2}. */
    static byte[] versionEvent(double wallTime) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        fixed64(b, 1, Double.doubleToLongBits(wallTime));
        bytes(b, 3, "brain.Event:2".getBytes(StandardCharsets.UTF_8));
        return b.toByteArray();
    }

    /** An {@code Event} with scalar summaries for one step. */
    static byte[] scalarEvent(double wallTime, long step, java.util.Map<String, Double> scalars) {
        ByteArrayOutputStream summary = new ByteArrayOutputStream();
        scalars.forEach(
                (tag, value) -> {
                    ByteArrayOutputStream v = new ByteArrayOutputStream();
                    bytes(v, 1, tag.getBytes(StandardCharsets.UTF_8));
                    tag(v, 2, 5);
                    int bits = Float.floatToIntBits(value.floatValue());
                    for (int i = 0; i < 4; i++) {
                        v.write(bits >>> (8 * i));
                    }
                    bytes(summary, 1, v.toByteArray());
                });
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        fixed64(e, 1, Double.doubleToLongBits(wallTime));
        tag(e, 2, 0);
        varint(e, step);
        bytes(e, 5, summary.toByteArray());
        return e.toByteArray();
    }

    private static void tag(ByteArrayOutputStream out, int field, int wireType) {
        varint(out, ((long) field << 3) | wireType);
    }

    private static void varint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7fL) != 0) {
            out.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static void fixed64(ByteArrayOutputStream out, int field, long bits) {
        tag(out, field, 1);
        for (int i = 0; i < 8; i++) {
            out.write((int) (bits >>> (8 * i)));
        }
    }

    private static void bytes(ByteArrayOutputStream out, int field, byte[] data) {
        tag(out, field, 2);
        varint(out, data.length);
        out.write(data, 0, data.length);
    }

    /**
     * One scalar read back from an event file.
     *
     * @param step the event's step
     * @param tag the summary tag
     * @param value the value
     */
    public record Scalar(long step, String tag, float value) {}

    /**
     * Reads every scalar of an event file, checking both CRCs of each record (a debugging aid and
     * what the tests use to prove the files are well formed).
     *
     * @throws IOException naming the file and byte offset of a corrupt or truncated record
     */
    public static List<Scalar> readScalars(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        ByteBuffer buf = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        List<Scalar> out = new ArrayList<>();
        while (buf.position() < all.length) {
            int at = buf.position();
            if (all.length - at < 12) {
                throw new IOException(file + ": truncated record header at byte " + at);
            }
            long length = buf.getLong();
            int lengthCrc = buf.getInt();
            if (lengthCrc != maskedCrc(all, at, 8)) {
                throw new IOException(file + ": bad length CRC at byte " + at);
            }
            if (length < 0 || all.length - buf.position() < length + 4) {
                throw new IOException(file + ": truncated record at byte " + at);
            }
            int dataStart = buf.position();
            buf.position(dataStart + (int) length);
            if (buf.getInt() != maskedCrc(all, dataStart, (int) length)) {
                throw new IOException(file + ": bad data CRC in the record at byte " + at);
            }
            parseEvent(
                    ByteBuffer.wrap(all, dataStart, (int) length)
                            .slice()
                            .order(ByteOrder.LITTLE_ENDIAN),
                    out);
        }
        return out;
    }

    private static void parseEvent(ByteBuffer b, List<Scalar> out) {
        long step = 0;
        List<byte[]> summaries = new ArrayList<>();
        while (b.hasRemaining()) {
            long key = readVarint(b);
            int field = (int) (key >>> 3);
            int wire = (int) (key & 7);
            if (field == 2 && wire == 0) {
                step = readVarint(b);
            } else if (field == 5 && wire == 2) {
                summaries.add(readBytes(b));
            } else {
                skip(b, wire);
            }
        }
        for (byte[] s : summaries) {
            ByteBuffer sb = ByteBuffer.wrap(s).order(ByteOrder.LITTLE_ENDIAN);
            while (sb.hasRemaining()) {
                long key = readVarint(sb);
                if ((key >>> 3) == 1 && (key & 7) == 2) {
                    ByteBuffer vb = ByteBuffer.wrap(readBytes(sb)).order(ByteOrder.LITTLE_ENDIAN);
                    String tag = null;
                    Float value = null;
                    while (vb.hasRemaining()) {
                        long vk = readVarint(vb);
                        if ((vk >>> 3) == 1 && (vk & 7) == 2) {
                            tag = new String(readBytes(vb), StandardCharsets.UTF_8);
                        } else if ((vk >>> 3) == 2 && (vk & 7) == 5) {
                            value = vb.getFloat();
                        } else {
                            skip(vb, (int) (vk & 7));
                        }
                    }
                    if (tag != null && value != null) {
                        out.add(new Scalar(step, tag, value));
                    }
                } else {
                    skip(sb, (int) (key & 7));
                }
            }
        }
    }

    private static long readVarint(ByteBuffer b) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            byte x = b.get();
            v |= (long) (x & 0x7f) << shift;
            if (x >= 0) {
                return v;
            }
        }
    }

    private static byte[] readBytes(ByteBuffer b) {
        byte[] data = new byte[(int) readVarint(b)];
        b.get(data);
        return data;
    }

    private static void skip(ByteBuffer b, int wire) {
        switch (wire) {
            case 0 -> readVarint(b);
            case 1 -> b.position(b.position() + 8);
            case 2 -> readBytes(b);
            case 5 -> b.position(b.position() + 4);
            default -> throw new IllegalArgumentException("unsupported wire type " + wire);
        }
    }
}

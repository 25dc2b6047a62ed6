package io.axlearn.core.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.axlearn.core.ndarray.OwnedArrays;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Reads and writes <a href="https://github.com/huggingface/safetensors">safetensors</a> files: an
 * 8-byte little-endian header length, a JSON header ({@code name -> {dtype, shape, data_offsets}},
 * plus optional string {@code __metadata__}), then the raw little-endian data.
 *
 * <p>Arrays stream through direct buffers one at a time, so files over 2 GB work. {@code BF16}
 * tensors (which DJL's PyTorch engine cannot hold) are widened to {@code F32} on read.
 */
public final class SafeTensors {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String METADATA = "__metadata__";
    private static final long MAX_HEADER = 100L << 20;

    private SafeTensors() {}

    /**
     * The contents of a safetensors file.
     *
     * @param tensors arrays by name, sorted
     * @param metadata the string metadata ({@code __metadata__}); empty if none
     */
    public record Contents(SortedMap<String, NDArray> tensors, Map<String, String> metadata) {}

    /** Writes {@code tensors} (and string {@code metadata}) to {@code file}, sorted by name. */
    public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata)
            throws IOException {
        SortedMap<String, NDArray> sorted = new TreeMap<>(tensors);
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject(METADATA);
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, NDArray> e : sorted.entrySet()) {
            NDArray a = e.getValue();
            long bytes = a.size() * a.getDataType().getNumOfBytes();
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", code(a.getDataType(), e.getKey()));
            var shape = t.putArray("shape");
            for (long d : a.getShape().getShape()) {
                shape.add(d);
            }
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        try (FileChannel ch =
                FileChannel.open(
                        file,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE)) {
            writeFully(ch, head);
            for (NDArray a : sorted.values()) {
                ByteBuffer data = a.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                writeFully(ch, data);
            }
            ch.force(true);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /**
     * Reads every tensor of {@code file} onto {@code manager}.
     *
     * @throws IOException naming the file if it is truncated, its header is malformed or a tensor
     *     has an unsupported dtype
     */
    public static Contents read(Path file, NDManager manager) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new IOException(file + ": not a safetensors file (" + size + " bytes)");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0, file);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen <= 0 || headerLen > MAX_HEADER || 8 + headerLen > size) {
                throw new IOException(file + ": bad safetensors header length " + headerLen);
            }
            ByteBuffer headBuf = ByteBuffer.allocate((int) headerLen);
            readFully(ch, headBuf, 8, file);
            JsonNode header;
            try {
                header = JSON.readTree(new String(headBuf.array(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new IOException(
                        file + ": malformed safetensors header: " + e.getMessage(), e);
            }
            long dataStart = 8 + headerLen;
            Map<String, String> metadata = new LinkedHashMap<>();
            SortedMap<String, NDArray> tensors = new TreeMap<>();
            try {
                for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (e.getKey().equals(METADATA)) {
                        e.getValue()
                                .fields()
                                .forEachRemaining(
                                        m -> metadata.put(m.getKey(), m.getValue().asText()));
                        continue;
                    }
                    tensors.put(
                            e.getKey(),
                            readTensor(
                                    ch, file, e.getKey(), e.getValue(), dataStart, size, manager));
                }
            } catch (IOException | RuntimeException e) {
                tensors.values().forEach(NDArray::close);
                throw e;
            }
            return new Contents(tensors, metadata);
        }
    }

    private static NDArray readTensor(
            FileChannel ch,
            Path file,
            String name,
            JsonNode t,
            long dataStart,
            long size,
            NDManager manager)
            throws IOException {
        String dtype = t.path("dtype").asText();
        JsonNode shapeNode = t.path("shape");
        JsonNode offsets = t.path("data_offsets");
        if (!shapeNode.isArray() || offsets.size() != 2) {
            throw new IOException(file + ": tensor " + name + " has no shape or data_offsets");
        }
        long[] dims = new long[shapeNode.size()];
        long count = 1;
        for (int i = 0; i < dims.length; i++) {
            dims[i] = shapeNode.get(i).asLong();
            count *= dims[i];
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        boolean bf16 = dtype.equals("BF16");
        DataType type = bf16 ? DataType.FLOAT32 : type(dtype, file, name);
        long expected = count * (bf16 ? 2 : type.getNumOfBytes());
        if (end - begin != expected || dataStart + end > size) {
            throw new IOException(
                    file
                            + ": tensor "
                            + name
                            + " needs "
                            + expected
                            + " bytes at ["
                            + begin
                            + ", "
                            + end
                            + ") but the file "
                            + (dataStart + end > size ? "is truncated" : "disagrees"));
        }
        ByteBuffer data =
                ByteBuffer.allocateDirect(Math.toIntExact(end - begin))
                        .order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, data, dataStart + begin, file);
        data.flip();
        if (bf16) {
            ByteBuffer wide =
                    ByteBuffer.allocateDirect(Math.toIntExact(count * 4))
                            .order(ByteOrder.LITTLE_ENDIAN);
            while (data.hasRemaining()) {
                wide.putInt((data.getShort() & 0xffff) << 16);
            }
            data = wide.flip();
        }
        NDArray owned = OwnedArrays.copyOf(manager, data, new Shape(dims), type);
        owned.setName(name);
        return owned;
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long position, Path file)
            throws IOException {
        long pos = position;
        while (b.hasRemaining()) {
            int n = ch.read(b, pos);
            if (n < 0) {
                throw new IOException(file + ": truncated at byte " + pos);
            }
            pos += n;
        }
    }

    private static String code(DataType type, String name) {
        return switch (type) {
            case FLOAT32 -> "F32";
            case FLOAT64 -> "F64";
            case FLOAT16 -> "F16";
            case INT64 -> "I64";
            case INT32 -> "I32";
            case INT8 -> "I8";
            case UINT8 -> "U8";
            case BOOLEAN -> "BOOL";
            default ->
                    throw new IllegalArgumentException(
                            "tensor " + name + ": cannot write dtype " + type);
        };
    }

    private static DataType type(String code, Path file, String name) throws IOException {
        return switch (code) {
            case "F32" -> DataType.FLOAT32;
            case "F64" -> DataType.FLOAT64;
            case "F16" -> DataType.FLOAT16;
            case "I64" -> DataType.INT64;
            case "I32" -> DataType.INT32;
            case "I8" -> DataType.INT8;
            case "U8" -> DataType.UINT8;
            case "BOOL" -> DataType.BOOLEAN;
            default ->
                    throw new IOException(
                            file + ": tensor " + name + " has unsupported dtype " + code);
        };
    }
}

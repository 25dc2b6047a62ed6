package io.axlearn.core.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Reads the weights (graph initializers) of an <a href="https://onnx.ai">ONNX</a> model with a
 * small protobuf reader of its own, without ONNX Runtime: {@code ModelProto.graph} (field 7), its
 * {@code initializer}s (field 5, {@code TensorProto}: dims 1, data_type 2, float/int32/int64 data
 * 4/5/7, name 8, raw_data 9) and {@code node}s (field 1: input 1, output 2, name 3, op_type 4).
 *
 * <p>{@link #stateDict} gives the weights under their PyTorch names. {@code torch.onnx.export}
 * keeps a parameter's name ({@code encoder.layer.0.attention.output.LayerNorm.weight}) except for a
 * Linear weight, which becomes the right operand of a {@code MatMul} named after its module ({@code
 * /encoder/layer.0/attention/self/query/MatMul}) under an anonymous name ({@code
 * onnx::MatMul_1234}) in the {@code [in, out]} layout; those are renamed to {@code <module>.weight}
 * and transposed back to torch's {@code [out, in]}.
 *
 * <p>Only float32, float64, int32 and int64 tensors stored in the file itself are read; external
 * data files and other types are named in the error.
 */
public final class OnnxWeights {
    private static final String ANONYMOUS = "onnx::";

    /**
     * One graph node.
     *
     * @param name node name
     * @param opType operator ({@code MatMul})
     * @param inputs input value names
     * @param outputs output value names
     */
    public record Node(String name, String opType, List<String> inputs, List<String> outputs) {}

    private final String source;
    private final SortedMap<String, NDArray> initializers;
    private final List<Node> nodes;

    private OnnxWeights(String source, SortedMap<String, NDArray> initializers, List<Node> nodes) {
        this.source = source;
        this.initializers = initializers;
        this.nodes = nodes;
    }

    /**
     * Reads a model.
     *
     * @param in the {@code .onnx} bytes (read to the end, not closed)
     * @param source the file or resource name, for messages
     * @param manager where the tensors go
     * @throws IOException naming {@code source} if the bytes are not an ONNX model this reader
     *     supports
     */
    public static OnnxWeights read(InputStream in, String source, NDManager manager)
            throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
        SortedMap<String, NDArray> tensors = new TreeMap<>();
        List<Node> nodes = new ArrayList<>();
        try {
            Proto model = new Proto(buf, 0, buf.limit());
            boolean graphSeen = false;
            while (model.next()) {
                if (model.field == 7 && model.wire == 2) {
                    graphSeen = true;
                    Proto graph = model.message();
                    while (graph.next()) {
                        if (graph.field == 5 && graph.wire == 2) {
                            readTensor(graph.message(), source, manager, tensors);
                        } else if (graph.field == 1 && graph.wire == 2) {
                            nodes.add(readNode(graph.message()));
                        } else {
                            graph.skip();
                        }
                    }
                } else {
                    model.skip();
                }
            }
            if (!graphSeen) {
                throw new IOException(source + ": not an ONNX model (no graph)");
            }
        } catch (IndexOutOfBoundsException | java.nio.BufferUnderflowException e) {
            tensors.values().forEach(NDArray::close);
            throw new IOException(source + ": truncated or malformed ONNX protobuf", e);
        } catch (IOException | RuntimeException e) {
            tensors.values().forEach(NDArray::close);
            throw e;
        }
        return new OnnxWeights(source, tensors, List.copyOf(nodes));
    }

    /** The initializers under their ONNX names, sorted. */
    public SortedMap<String, NDArray> initializers() {
        return initializers;
    }

    /** The graph's nodes in file order. */
    public List<Node> nodes() {
        return nodes;
    }

    /**
     * The float weights under their PyTorch names and layouts: named initializers as they are,
     * anonymous {@code MatMul} weights renamed after their module and transposed to {@code [out,
     * in]}. Other anonymous initializers (shape constants of the graph) are left out.
     *
     * @throws IOException naming an anonymous float weight whose module cannot be told
     */
    public SortedMap<String, NDArray> stateDict() throws IOException {
        Map<String, Node> consumer = new LinkedHashMap<>();
        for (Node n : nodes) {
            for (String in : n.inputs()) {
                consumer.putIfAbsent(in, n);
            }
        }
        SortedMap<String, NDArray> out = new TreeMap<>();
        for (Map.Entry<String, NDArray> e : initializers.entrySet()) {
            String name = e.getKey();
            NDArray value = e.getValue();
            if (value.getDataType() != DataType.FLOAT32) {
                continue;
            }
            if (!name.startsWith(ANONYMOUS)) {
                out.put(name, value);
                continue;
            }
            Node user = consumer.get(name);
            if (user == null
                    || !user.opType().equals("MatMul")
                    || value.getShape().dimension() != 2) {
                continue;
            }
            String module = moduleOf(user.name());
            if (module == null) {
                throw new IOException(
                        source
                                + ": cannot tell the module of weight "
                                + name
                                + " (node "
                                + user.name()
                                + ")");
            }
            out.put(module + ".weight", value.transpose(1, 0));
        }
        return out;
    }

    /**
     * {@code /encoder/layer.0/attention/self/query/MatMul} -> {@code
     * encoder.layer.0.attention.self.query}.
     */
    private static String moduleOf(String nodeName) {
        if (!nodeName.startsWith("/") || !nodeName.endsWith("/MatMul")) {
            return null;
        }
        String path = nodeName.substring(1, nodeName.length() - "/MatMul".length());
        return path.isEmpty() ? null : path.replace('/', '.');
    }

    private static Node readNode(Proto p) {
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        String name = "";
        String op = "";
        while (p.next()) {
            switch (p.field) {
                case 1 -> inputs.add(p.string());
                case 2 -> outputs.add(p.string());
                case 3 -> name = p.string();
                case 4 -> op = p.string();
                default -> p.skip();
            }
        }
        return new Node(name, op, List.copyOf(inputs), List.copyOf(outputs));
    }

    private static void readTensor(
            Proto p, String source, NDManager manager, Map<String, NDArray> out)
            throws IOException {
        List<Long> dims = new ArrayList<>();
        int type = 0;
        String name = "";
        ByteBuffer raw = null;
        ByteBuffer packed = null;
        boolean external = false;
        while (p.next()) {
            switch (p.field) {
                case 1 -> {
                    if (p.wire == 2) {
                        Proto d = p.message();
                        while (d.pos < d.end) {
                            dims.add(d.varint());
                        }
                    } else {
                        dims.add(p.varint());
                    }
                }
                case 2 -> type = (int) p.varint();
                case 8 -> name = p.string();
                case 9 -> raw = p.bytes();
                case 4, 5, 7, 10 -> {
                    if (p.wire == 2) {
                        packed = p.bytes();
                    } else {
                        p.skip();
                    }
                }
                case 14 -> external = p.varint() == 1;
                default -> p.skip();
            }
        }
        if (external) {
            throw new IOException(source + ": tensor " + name + " is stored in an external file");
        }
        Shape shape = new Shape(dims.stream().mapToLong(Long::longValue).toArray());
        DataType dt =
                switch (type) {
                    case 1 -> DataType.FLOAT32;
                    case 6 -> DataType.INT32;
                    case 7 -> DataType.INT64;
                    case 11 -> DataType.FLOAT64;
                    default -> null;
                };
        if (dt == null) {
            return; // not a weight type this library holds (strings, bools of the graph)
        }
        ByteBuffer data = raw != null ? raw : packed;
        long bytes = shape.size() * dt.getNumOfBytes();
        if (data == null && bytes == 0) {
            data = ByteBuffer.allocate(0);
        }
        if (data == null) {
            throw new IOException(source + ": tensor " + name + " has no data");
        }
        if (raw == null && (type == 6 || type == 7)) {
            data = widenVarints(data, dt, shape.size());
        }
        if (data.remaining() != bytes) {
            throw new IOException(
                    source
                            + ": tensor "
                            + name
                            + " "
                            + shape
                            + " has "
                            + data.remaining()
                            + " bytes of data, expected "
                            + bytes);
        }
        ByteBuffer direct = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
        direct.put(data.duplicate().order(ByteOrder.LITTLE_ENDIAN)).flip();
        NDArray a = manager.create(direct, shape, dt);
        a.setName(name);
        out.put(name, a);
    }

    /** Packed int32/int64 fields hold varints: re-encode them as fixed little-endian values. */
    private static ByteBuffer widenVarints(ByteBuffer packed, DataType dt, long count) {
        Proto p = new Proto(packed, packed.position(), packed.limit());
        ByteBuffer out = ByteBuffer.allocate((int) (count * dt.getNumOfBytes()));
        out.order(ByteOrder.LITTLE_ENDIAN);
        while (p.pos < p.end && out.hasRemaining()) {
            long v = p.varint();
            if (dt == DataType.INT32) {
                out.putInt((int) v);
            } else {
                out.putLong(v);
            }
        }
        return out.flip();
    }

    /** A cursor over one protobuf message: {@link #next} reads a tag, then read or skip it. */
    private static final class Proto {
        private final ByteBuffer buf;
        private int pos;
        private final int end;
        int field;
        int wire;

        Proto(ByteBuffer buf, int start, int end) {
            this.buf = buf;
            this.pos = start;
            this.end = end;
        }

        boolean next() {
            if (pos >= end) {
                return false;
            }
            long tag = varint();
            field = (int) (tag >>> 3);
            wire = (int) (tag & 7);
            return true;
        }

        long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                byte b = buf.get(pos++);
                v |= (long) (b & 0x7f) << shift;
                if (b >= 0) {
                    return v;
                }
            }
            throw new IndexOutOfBoundsException("varint longer than 10 bytes");
        }

        private int length() {
            long n = varint();
            if (n < 0 || pos + n > end) {
                throw new IndexOutOfBoundsException("length " + n + " past the message end");
            }
            return (int) n;
        }

        Proto message() {
            int n = length();
            Proto p = new Proto(buf, pos, pos + n);
            pos += n;
            return p;
        }

        ByteBuffer bytes() {
            int n = length();
            ByteBuffer b = buf.duplicate().position(pos).limit(pos + n).slice();
            pos += n;
            return b.order(ByteOrder.LITTLE_ENDIAN);
        }

        String string() {
            int n = length();
            String s = new String(buf.array(), buf.arrayOffset() + pos, n, StandardCharsets.UTF_8);
            pos += n;
            return s;
        }

        void skip() {
            switch (wire) {
                case 0 -> varint();
                case 1 -> pos += 8;
                case 2 -> {
                    int n = length(); // before the addition: pos += length() would read pos first
                    pos += n;
                }
                case 5 -> pos += 4;
                default -> throw new IndexOutOfBoundsException("unsupported wire type " + wire);
            }
            if (pos > end) {
                throw new IndexOutOfBoundsException("field past the message end");
            }
        }
    }
}

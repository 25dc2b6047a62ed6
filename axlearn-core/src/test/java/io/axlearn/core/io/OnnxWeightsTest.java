package io.axlearn.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.testing.TorchGolden;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

/**
 * {@link OnnxWeights} on models encoded here field by field as onnx.proto defines them (the real
 * all-MiniLM-L6-v2 export is read in the examples' MiniLmTest).
 */
class OnnxWeightsTest {
    /** A protobuf message under construction. */
    private static final class Message {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        private void varint(long v) {
            while ((v & ~0x7fL) != 0) {
                out.write((int) ((v & 0x7f) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }

        Message integer(int field, long v) {
            varint((long) field << 3);
            varint(v);
            return this;
        }

        Message bytes(int field, byte[] b) {
            varint(((long) field << 3) | 2);
            varint(b.length);
            out.write(b, 0, b.length);
            return this;
        }

        Message string(int field, String s) {
            return bytes(field, s.getBytes(StandardCharsets.UTF_8));
        }

        Message message(int field, Message m) {
            return bytes(field, m.out.toByteArray());
        }

        byte[] toBytes() {
            return out.toByteArray();
        }
    }

    private static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        return b.array();
    }

    /** A TensorProto with raw little-endian data. */
    private static Message tensor(String name, long[] dims, int type, byte[] raw) {
        Message t = new Message();
        for (long d : dims) {
            t.integer(1, d);
        }
        return t.integer(2, type).string(8, name).bytes(9, raw);
    }

    private static Message node(String name, String op, String... inputs) {
        Message n = new Message();
        for (String in : inputs) {
            n.string(1, in);
        }
        return n.string(2, name + "_output_0").string(3, name).string(4, op);
    }

    private static byte[] model(Message graph) {
        return new Message()
                .integer(1, 8)
                .string(2, "pytorch")
                .message(7, graph)
                .message(8, new Message().integer(2, 17))
                .toBytes();
    }

    @Test
    void initializers_andAnonymousMatMulWeights_becomeATorchStateDict() throws IOException {
        // float_data packed (field 4) and int64 varints (field 7) as well as raw_data.
        Message packedBias =
                new Message()
                        .integer(1, 2)
                        .integer(2, 1)
                        .bytes(4, floats(0.5f, -1f))
                        .string(8, "fc.bias");
        Message ids = new Message().integer(1, 3).integer(2, 7);
        ByteArrayOutputStream varints = new ByteArrayOutputStream();
        varints.write(0);
        varints.write(1);
        varints.write(0xAC); // 300 as a varint
        varints.write(0x02);
        ids.bytes(7, varints.toByteArray()).string(8, "embeddings.position_ids");
        Message graph =
                new Message()
                        .message(1, node("/encoder/fc/MatMul", "MatMul", "x", "onnx::MatMul_7"))
                        .message(
                                1,
                                node(
                                        "/encoder/fc/Add",
                                        "Add",
                                        "/encoder/fc/MatMul_output_0",
                                        "fc.bias"))
                        .string(2, "main_graph")
                        .message(
                                5,
                                tensor(
                                        "onnx::MatMul_7",
                                        new long[] {3, 2},
                                        1,
                                        floats(1, 2, 3, 4, 5, 6)))
                        .message(5, packedBias)
                        .message(5, ids);
        try (NDManager m = TorchGolden.manager()) {
            OnnxWeights w =
                    OnnxWeights.read(new ByteArrayInputStream(model(graph)), "tiny.onnx", m);
            assertEquals(3, w.initializers().size());
            assertArrayEquals(
                    new long[] {0, 1, 300},
                    w.initializers().get("embeddings.position_ids").toLongArray());
            assertEquals(2, w.nodes().size());
            assertEquals("MatMul", w.nodes().get(0).opType());

            SortedMap<String, NDArray> sd = w.stateDict();
            assertEquals(java.util.Set.of("encoder.fc.weight", "fc.bias"), sd.keySet());
            NDArray weight = sd.get("encoder.fc.weight");
            assertEquals(new Shape(2, 3), weight.getShape()); // torch's [out, in]
            assertArrayEquals(new float[] {1, 3, 5, 2, 4, 6}, weight.toFloatArray());
            assertArrayEquals(new float[] {0.5f, -1f}, sd.get("fc.bias").toFloatArray());
        }
    }

    @Test
    void truncatedOrForeignBytes_areOneLineNamingTheSource() {
        byte[] good = model(new Message().message(5, tensor("w", new long[] {2}, 1, floats(1, 2))));
        try (NDManager m = TorchGolden.manager()) {
            IOException truncated =
                    assertThrows(
                            IOException.class,
                            () ->
                                    OnnxWeights.read(
                                            new ByteArrayInputStream(
                                                    Arrays.copyOf(good, good.length - 5)),
                                            "cut.onnx",
                                            m));
            assertEquals("cut.onnx: truncated or malformed ONNX protobuf", truncated.getMessage());
            IOException notOnnx =
                    assertThrows(
                            IOException.class,
                            () ->
                                    OnnxWeights.read(
                                            new ByteArrayInputStream(
                                                    new Message().integer(1, 8).toBytes()),
                                            "x.onnx",
                                            m));
            assertTrue(notOnnx.getMessage().startsWith("x.onnx: not an ONNX model"));
        }
    }
}

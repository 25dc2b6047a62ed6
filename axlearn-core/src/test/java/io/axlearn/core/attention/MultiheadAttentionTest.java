package io.axlearn.core.attention;

import static io.axlearn.core.testing.TorchGolden.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.layers.Dropout;
import io.axlearn.core.layers.GradCheck;
import io.axlearn.core.layers.Linear;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.testing.Collect;
import io.axlearn.core.testing.TorchGolden;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MultiheadAttentionTest {

    static MultiheadAttention fromGolden(TorchGolden g) {
        String cap = g.meta("cap");
        return MultiheadAttention.config()
                .inputDim(g.intMeta("inputDim"))
                .numHeads(g.intMeta("numHeads"))
                .numKvHeads(g.intMeta("numKvHeads"))
                .causal(Boolean.parseBoolean(g.meta("causal")))
                .rotary(Boolean.parseBoolean(g.meta("rotary")) ? RotaryEmbedding.config() : null)
                .attentionLogitCap(cap.equals("none") ? null : Double.parseDouble(cap))
                .instantiate();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "self",
                "causal",
                "rotary",
                "causal_rotary",
                "gqa",
                "padding",
                "segments",
                "logit_cap",
                "cross"
            })
    void forward_matchesTorchGolden(String name) {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(MultiheadAttentionTest.class, name, m);
            MultiheadAttention layer = fromGolden(g);
            ParamTree params = g.params();
            assertEquals(layer.paramSpecs().keySet(), params.asMap().keySet());
            NDArray bias =
                    g.has("inputs/key_valid")
                            ? AttentionBias.padding(g.input("key_valid"))
                            : g.has("inputs/segments")
                                    ? AttentionBias.segments(
                                            g.input("segments"), g.input("segments"))
                                    : null;
            Map<String, NDArray> inputs = new LinkedHashMap<>();
            inputs.put("x", g.input("x"));
            if (g.has("inputs/kv")) {
                inputs.put("kv", g.input("kv"));
            }
            if (g.has("grads/x")) {
                GradCheck.check(
                        g,
                        params,
                        inputs,
                        in ->
                                layer.forward(ForwardContext.eval(params, m), input(in, bias))
                                        .data());
            } else {
                NDArray y =
                        layer.forward(ForwardContext.eval(params, m), input(inputs, bias)).data();
                assertClose(g.output("y"), y, name);
            }
        }
    }

    /**
     * Self- or cross-attention (when {@code kv} is given) over {@code in}, with the bias if any.
     */
    private static AttentionInput input(Map<String, NDArray> in, NDArray bias) {
        AttentionInput input =
                in.containsKey("kv")
                        ? AttentionInput.cross(in.get("x"), in.get("kv"))
                        : AttentionInput.self(in.get("x"));
        return bias == null ? input : input.withBias(bias);
    }

    private static MultiheadAttention gqaRotaryCausal() {
        return MultiheadAttention.config()
                .inputDim(16)
                .numHeads(4)
                .numKvHeads(2)
                .causal(true)
                .rotary(RotaryEmbedding.config())
                .instantiate();
    }

    @Test
    void gradients_unchangedByGarbageCollectionBeforeBackward() {
        MultiheadAttention layer =
                MultiheadAttention.config()
                        .inputDim(16)
                        .numHeads(4)
                        .numKvHeads(2)
                        .causal(true)
                        .rotary(RotaryEmbedding.config())
                        .attentionLogitCap(30.0)
                        .instantiate();
        try (NDManager m = TorchGolden.manager()) {
            ParamTree params = layer.initParams(1, m);
            Collect.assertBackwardUnaffected(
                    m.randomNormal(new Shape(2, 6, 16)),
                    x -> {
                        ForwardContext ctx = ForwardContext.of(params, x.getManager(), true, 0);
                        return layer.forward(ctx, AttentionInput.self(x)).data();
                    });
        }
    }

    @Test
    void causalBias_isBuiltOnTheEngine_zeroUpToEachQuerysPositionThenBlocked() {
        try (NDManager m = TorchGolden.manager()) {
            NDArray bias = AttentionBias.causal(m, 3, 5, 2);
            assertEquals(new Shape(1, 1, 3, 5), bias.getShape());
            float n = AttentionBias.NEG_INF;
            assertArrayEquals(
                    new float[] {0, 0, 0, n, n, 0, 0, 0, 0, n, 0, 0, 0, 0, 0}, bias.toFloatArray());
        }
    }

    @Test
    void scoresLargerThanTheMachinesMemory_areRefusedWithTheSizes() {
        MultiheadAttention layer =
                MultiheadAttention.config()
                        .inputDim(4)
                        .numHeads(2)
                        .causal(true)
                        .instantiateAt("model.decoder.layer.selfAttention");
        try (NDManager m = TorchGolden.manager()) {
            ParamTree params = layer.initParams(1, m);
            NDArray x = m.zeros(new Shape(1, 1_000_000, 4));
            ConfigException e =
                    assertThrows(
                            ConfigException.class,
                            () ->
                                    layer.forward(
                                            ForwardContext.eval(params, m),
                                            AttentionInput.self(x)));
            assertTrue(
                    e.getMessage()
                            .startsWith(
                                    "model.decoder.layer.selfAttention: attention scores"
                                            + " [1, 2, 1000000, 1000000] need 8000.0 GB, more"
                                            + " than this machine's "),
                    e.getMessage());
            assertTrue(
                    e.getMessage().endsWith("use shorter sequences (seqLen) or a smaller batch"),
                    e.getMessage());
        }
    }

    @Test
    void causal_futureTokensNeverChangeEarlierOutputs() {
        MultiheadAttention layer = gqaRotaryCausal();
        try (NDManager m = TorchGolden.manager()) {
            ParamTree params = layer.initParams(1, m);
            NDArray x = m.randomNormal(new Shape(2, 6, 16));
            NDArray changed = x.duplicate();
            changed.set(new NDIndex(":, 4:, :"), m.randomNormal(new Shape(2, 2, 16)));
            ForwardContext ctx = ForwardContext.eval(params, m);
            NDArray a = layer.forward(ctx, AttentionInput.self(x)).data();
            NDArray b = layer.forward(ctx, AttentionInput.self(changed)).data();
            assertClose(a.get(":, :4, :"), b.get(":, :4, :"), "outputs before the change");
            assertEquals(
                    false,
                    a.get(":, 4:, :").allClose(b.get(":, 4:, :")),
                    "later outputs must change");
        }
    }

    @Test
    void padding_paddedKeysNeverChangeRealOutputs() {
        MultiheadAttention layer =
                MultiheadAttention.config().inputDim(8).numHeads(2).instantiate();
        try (NDManager m = TorchGolden.manager()) {
            ParamTree params = layer.initParams(2, m);
            NDArray x = m.randomNormal(new Shape(1, 5, 8));
            NDArray valid = m.create(new int[] {1, 1, 1, 0, 0}, new Shape(1, 5));
            NDArray changed = x.duplicate();
            changed.set(new NDIndex(":, 3:, :"), m.randomNormal(new Shape(1, 2, 8)).mul(10));
            ForwardContext ctx = ForwardContext.eval(params, m);
            NDArray bias = AttentionBias.padding(valid);
            NDArray a = layer.forward(ctx, AttentionInput.self(x).withBias(bias)).data();
            NDArray b = layer.forward(ctx, AttentionInput.self(changed).withBias(bias)).data();
            assertClose(a.get(":, :3, :"), b.get(":, :3, :"), "outputs at real positions");
        }
    }

    @Test
    void extendStep_equalsFullForwardStepByStep() {
        MultiheadAttention layer = gqaRotaryCausal();
        try (NDManager m = TorchGolden.manager()) {
            ParamTree params = layer.initParams(3, m);
            NDArray x = m.randomNormal(new Shape(2, 7, 16));
            ForwardContext ctx = ForwardContext.eval(params, m);
            NDArray full = layer.forward(ctx, AttentionInput.self(x)).data();
            KvCache cache = KvCache.EMPTY;
            NDList steps = new NDList();
            for (int t = 0; t < 7; t++) {
                MultiheadAttention.Step s =
                        layer.extendStep(ctx, cache, x.get(new NDIndex(":, {}:{}, :", t, t + 1)));
                steps.add(s.data());
                cache = s.cache();
            }
            assertEquals(7, cache.length());
            assertEquals(new Shape(2, 2, 7, 4), cache.key().getShape());
            assertClose(full, NDArrays.concat(steps, 1), "step-by-step decoding");
        }
    }

    @Test
    void perHeadDimQueryScaleNoBiasOutputDim_forwardAndGradients_matchTorchGolden() {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(MultiheadAttentionTest.class, "head_dim", m);
            MultiheadAttention layer =
                    MultiheadAttention.config()
                            .inputDim(g.intMeta("inputDim"))
                            .numHeads(g.intMeta("numHeads"))
                            .perHeadDim(g.intMeta("perHeadDim"))
                            .queryScale(Double.parseDouble(g.meta("queryScale")))
                            .outputDim(g.intMeta("outputDim"))
                            .projection(Linear.config().bias(false))
                            .causal(true)
                            .instantiate();
            ParamTree params = g.params();
            assertEquals(layer.paramSpecs().keySet(), params.asMap().keySet());
            assertEquals(new Shape(8, 6), layer.paramSpecs().get("q_proj/weight").shape());
            assertEquals(new Shape(6, 6), layer.paramSpecs().get("o_proj/weight").shape());
            GradCheck.check(
                    g,
                    params,
                    Map.of("x", g.input("x")),
                    in ->
                            layer.forward(
                                            ForwardContext.eval(params, m),
                                            AttentionInput.self(in.get("x")))
                                    .data());
        }
    }

    @Test
    void crossAttentionWithKeyPadding_outputAndProbs_matchTorchGolden() {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(MultiheadAttentionTest.class, "cross_padding", m);
            MultiheadAttention layer =
                    MultiheadAttention.config()
                            .inputDim(g.intMeta("inputDim"))
                            .numHeads(g.intMeta("numHeads"))
                            .instantiate();
            ParamTree params = g.params();
            AttentionOutput out =
                    layer.forward(
                            ForwardContext.eval(params, m),
                            AttentionInput.cross(g.input("x"), g.input("kv"))
                                    .withBias(AttentionBias.padding(g.input("key_valid")))
                                    .withProbabilities());
            assertClose(g.output("y"), out.data(), "y");
            assertEquals(new Shape(2, 2, 4, 3), out.probs().getShape());
            assertClose(g.output("probs"), out.probs(), "probs");
            assertEquals(
                    0f,
                    out.probs().get("0, :, :, 2").abs().max().getFloat(),
                    "padded key gets no probability");
        }
    }

    @Test
    void packedSegmentsCausalRotaryGqa_outputAndProbs_matchTorchGolden() {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(MultiheadAttentionTest.class, "packed_causal", m);
            MultiheadAttention layer =
                    MultiheadAttention.config()
                            .inputDim(g.intMeta("inputDim"))
                            .numHeads(g.intMeta("numHeads"))
                            .numKvHeads(g.intMeta("numKvHeads"))
                            .causal(true)
                            .rotary(RotaryEmbedding.config())
                            .instantiate();
            ParamTree params = g.params();
            NDArray segments = g.input("segments");
            AttentionOutput out =
                    layer.forward(
                            ForwardContext.eval(params, m),
                            AttentionInput.self(g.input("x"))
                                    .withBias(AttentionBias.segments(segments, segments))
                                    .withProbabilities());
            assertClose(g.output("y"), out.data(), "y");
            assertClose(g.output("probs"), out.probs(), "probs");
            assertEquals(
                    null,
                    layer.forward(ForwardContext.eval(params, m), AttentionInput.self(g.input("x")))
                            .probs(),
                    "probs only when asked");
        }
    }

    @Test
    void queryWithNoVisibleKey_getsUniformProbabilitiesNotNaN() {
        MultiheadAttention layer =
                MultiheadAttention.config().inputDim(8).numHeads(2).instantiate();
        try (NDManager m = TorchGolden.manager()) {
            ParamTree params = layer.initParams(4, m);
            NDArray x = m.randomNormal(new Shape(2, 3, 8));
            NDArray valid = m.create(new int[] {0, 0, 0, 1, 1, 0}, new Shape(2, 3));
            AttentionOutput out =
                    layer.forward(
                            ForwardContext.eval(params, m),
                            AttentionInput.self(x)
                                    .withBias(AttentionBias.padding(valid))
                                    .withProbabilities());
            assertEquals(false, out.data().isNaN().any().getBoolean(), "no NaN outputs");
            assertClose(m.full(new Shape(2, 3, 3), 1f / 3), out.probs().get("0"), "uniform row");
            assertClose(
                    m.zeros(new Shape(2, 3)), out.probs().get("1, :, :, 2"), "padded key in row 1");
        }
    }

    @Test
    void segments_otherSegmentsNeverChangeOutputs() {
        MultiheadAttention layer =
                MultiheadAttention.config()
                        .inputDim(8)
                        .numHeads(2)
                        .rotary(RotaryEmbedding.config())
                        .instantiate();
        try (NDManager m = TorchGolden.manager()) {
            ParamTree params = layer.initParams(6, m);
            NDArray x = m.randomNormal(new Shape(1, 6, 8));
            NDArray segments = m.create(new int[] {0, 0, 0, 1, 1, 1}, new Shape(1, 6));
            NDArray bias = AttentionBias.segments(segments, segments);
            NDArray changed = x.duplicate();
            changed.set(new NDIndex(":, 3:, :"), m.randomNormal(new Shape(1, 3, 8)).mul(5));
            ForwardContext ctx = ForwardContext.eval(params, m);
            NDArray a = layer.forward(ctx, AttentionInput.self(x).withBias(bias)).data();
            NDArray b = layer.forward(ctx, AttentionInput.self(changed).withBias(bias)).data();
            assertClose(a.get(":, :3, :"), b.get(":, :3, :"), "segment 0 outputs");
        }
    }

    @Test
    void attentionDropout_activeOnlyInTraining_andReproducibleFromTheSeed() {
        MultiheadAttention layer =
                MultiheadAttention.config()
                        .inputDim(8)
                        .numHeads(2)
                        .dropout(Dropout.config().rate(0.5))
                        .instantiate();
        MultiheadAttention noDropout =
                MultiheadAttention.config().inputDim(8).numHeads(2).instantiate();
        try (NDManager m = TorchGolden.manager()) {
            ParamTree params = layer.initParams(7, m);
            NDArray x = m.randomNormal(new Shape(2, 4, 8));
            NDArray plain =
                    noDropout
                            .forward(ForwardContext.eval(params, m), AttentionInput.self(x))
                            .data();
            assertClose(
                    plain,
                    layer.forward(ForwardContext.eval(params, m), AttentionInput.self(x)).data(),
                    "eval ignores dropout");
            NDArray a =
                    layer.forward(ForwardContext.of(params, m, true, 3), AttentionInput.self(x))
                            .data();
            NDArray b =
                    layer.forward(ForwardContext.of(params, m, true, 3), AttentionInput.self(x))
                            .data();
            assertEquals(false, a.allClose(plain), "training applies dropout");
            assertClose(a, b, "same seed, same dropout mask");
        }
    }

    @Test
    void paddingBias_acceptsBooleanAndIntegerValidity() {
        try (NDManager m = TorchGolden.manager()) {
            NDArray fromInt = AttentionBias.padding(m.create(new int[] {1, 0, 1}, new Shape(1, 3)));
            NDArray fromBool =
                    AttentionBias.padding(
                            m.create(new boolean[] {true, false, true}, new Shape(1, 3)));
            assertEquals(new Shape(1, 1, 1, 3), fromBool.getShape());
            assertClose(fromInt, fromBool, "bool vs int");
            assertClose(
                    m.create(new float[] {0, AttentionBias.NEG_INF, 0}, new Shape(1, 1, 1, 3)),
                    fromInt,
                    "bias values");
        }
    }

    @Test
    void config_rejectsOddRotaryDimAndNonPositiveCap() {
        ConfigException rotary =
                assertThrows(
                        ConfigException.class,
                        () ->
                                MultiheadAttention.config()
                                        .inputDim(6)
                                        .numHeads(2)
                                        .rotary(RotaryEmbedding.config())
                                        .instantiateAt("model.attention"));
        assertEquals(
                "model.attention.rotary needs an even per-head dimension, got 3 (MultiheadAttention.Config)",
                rotary.getMessage());
        ConfigException cap =
                assertThrows(
                        ConfigException.class,
                        () ->
                                MultiheadAttention.config()
                                        .inputDim(8)
                                        .numHeads(2)
                                        .attentionLogitCap(0.0)
                                        .instantiateAt("model.attention"));
        assertEquals(
                "model.attention.attentionLogitCap must be positive or null, got 0.0 (MultiheadAttention.Config)",
                cap.getMessage());
    }

    @Test
    void config_errorsNamePaths() {
        ConfigException kv =
                assertThrows(
                        ConfigException.class,
                        () ->
                                MultiheadAttention.config()
                                        .inputDim(16)
                                        .numHeads(4)
                                        .numKvHeads(3)
                                        .instantiateAt("attention"));
        assertEquals(
                "attention.numKvHeads must divide numHeads=4, got 3 (MultiheadAttention.Config)",
                kv.getMessage());
        ConfigException dim =
                assertThrows(
                        ConfigException.class,
                        () ->
                                MultiheadAttention.config()
                                        .inputDim(10)
                                        .numHeads(4)
                                        .instantiateAt("attention"));
        assertEquals(
                "attention.perHeadDim must be set when numHeads=4 does not divide inputDim=10 (MultiheadAttention.Config)",
                dim.getMessage());
    }
}

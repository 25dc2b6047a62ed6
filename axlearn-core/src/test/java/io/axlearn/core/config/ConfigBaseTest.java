package io.axlearn.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.IntNode;
import io.axlearn.core.config.Fixtures.Activation;
import io.axlearn.core.config.Fixtures.Encoder;
import io.axlearn.core.config.Fixtures.Head;
import io.axlearn.core.config.Fixtures.LayerNorm;
import io.axlearn.core.config.Fixtures.RmsNorm;
import io.axlearn.core.config.Fixtures.Window;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigBaseTest {

    @Test
    void fluentSetters_chainOnOneInstance() {
        Encoder cfg = new Encoder();
        assertSame(cfg, cfg.numLayers(3).modelDim(8).dropout(0.1));
        assertEquals(3, cfg.get("numLayers"));
        assertEquals(0.1, cfg.get("dropout"));
    }

    @Test
    void instantiate_buildsFromFrozenCopy() {
        Encoder cfg = Fixtures.encoder();
        assertEquals("encoder(2x16, layer_norm(16, 1.0E-5))", cfg.instantiate());
        assertFalse(cfg.isFrozen(), "the caller's config stays mutable");
    }

    @Test
    void instantiate_missingRequired_namesEveryMissingPath() {
        MissingRequiredException e =
                assertThrows(MissingRequiredException.class, () -> new Encoder().instantiate());
        assertEquals(List.of("modelDim", "numLayers"), e.paths());
        assertEquals(
                "required fields are not set: modelDim, numLayers (Fixtures.Encoder)",
                e.getMessage());
    }

    @Test
    void instantiate_missingRequiredInPlainDataChild_namesNestedPath() {
        Encoder cfg = Fixtures.encoder().head("extra", new Head());
        MissingRequiredException e =
                assertThrows(MissingRequiredException.class, () -> cfg.instantiateAt("model"));
        assertEquals("model.heads[extra].numClasses is required (Fixtures.Head)", e.getMessage());
    }

    @Test
    void instantiateAt_childErrorsNameFullPath() {
        // The encoder writes norm.dim itself; an unset norm field would be named under its path.
        Encoder cfg = Fixtures.encoder();
        cfg.set("norm.eps", -1.0);
        assertEquals("encoder(2x16, layer_norm(16, -1.0))", cfg.instantiateAt("model"));
        Fixtures.Norm<?> orphan = new LayerNorm();
        MissingRequiredException e =
                assertThrows(
                        MissingRequiredException.class, () -> orphan.instantiateAt("model.norm"));
        assertEquals("model.norm.dim is required (Fixtures.LayerNorm)", e.getMessage());
    }

    @Test
    void validate_errorNamesPathAndClass() {
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () -> Fixtures.encoder().numLayers(0).instantiateAt("model.encoder"));
        assertEquals(
                "model.encoder.numLayers must be positive, got 0 (Fixtures.Encoder)",
                e.getMessage());
    }

    @Test
    void childSetter_storesCopy() {
        LayerNorm norm = new LayerNorm().eps(0.5);
        Encoder cfg = Fixtures.encoder().norm(norm);
        norm.eps(0.25);
        assertEquals(0.5, cfg.get("norm.eps"), "later edits of the argument must not leak in");
    }

    @Test
    void copy_isDeepAndEqual() {
        Encoder cfg = Fixtures.encoder();
        Encoder copy = cfg.copy();
        assertEquals(cfg, copy);
        assertEquals(cfg.hashCode(), copy.hashCode());
        copy.set("heads[cls].numClasses", 3).set("dims[0]", 99).set("norm.eps", 0.1);
        assertEquals(10, cfg.get("heads[cls].numClasses"));
        assertEquals(8, cfg.get("dims[0]"));
        assertEquals(1e-5, cfg.get("norm.eps"));
        assertNotEquals(cfg, copy);
    }

    @Test
    void frozen_refusesEveryChangeAndNamesPath() {
        Encoder frozen = Fixtures.encoder();
        frozen.freeze("model");
        assertTrue(frozen.isFrozen());
        FrozenConfigException e =
                assertThrows(FrozenConfigException.class, () -> frozen.numLayers(4));
        assertEquals(
                "config model (Fixtures.Encoder) is frozen; edit a copy() instead", e.getMessage());
        FrozenConfigException nested =
                assertThrows(FrozenConfigException.class, () -> ((LayerNorm) frozen.norm).eps(0.1));
        assertTrue(nested.getMessage().startsWith("config model.norm "), nested.getMessage());
        assertThrows(UnsupportedOperationException.class, () -> frozen.dims.add(1));
        assertThrows(UnsupportedOperationException.class, () -> frozen.heads.clear());
        Encoder thawed = frozen.copy();
        assertFalse(thawed.isFrozen());
        thawed.numLayers(4);
        assertEquals(4, thawed.get("numLayers"));
    }

    @Test
    void frozenConfigs_haveValueEquality() {
        Encoder a = Fixtures.encoder();
        Encoder b = Fixtures.encoder();
        a.freeze("");
        b.freeze("");
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, Fixtures.encoder().modelDim(32));
    }

    @Test
    void setPath_reachesFieldsListsMapsAndRecords() {
        Encoder cfg = Fixtures.encoder();
        cfg.set("dims[1]", IntNode.valueOf(32))
                .set("heads[cls].label", "logits")
                .set("window.width", 5)
                .set("activation", ConfigValues.parse("GELU"));
        assertEquals(List.of(8, 32), cfg.get("dims"));
        assertEquals("logits", cfg.get("heads[cls].label"));
        assertEquals(new Window(3, 5), cfg.get("window"));
        assertEquals(5, cfg.get("window.width"));
        assertEquals(Activation.GELU, cfg.get("activation"));
    }

    @Test
    void setPath_typeSwapsChildAndJsonObjectMerges() {
        Encoder cfg = Fixtures.encoder();
        cfg.set("norm.@type", "test/RmsNorm");
        assertInstanceOf(RmsNorm.class, cfg.get("norm"));
        assertEquals("test/RmsNorm", cfg.get("norm.@type"));
        cfg.set("norm", ConfigValues.parse("{\"eps\": 0.001}"));
        assertEquals(0.001, cfg.get("norm.eps"));
        assertEquals(true, cfg.get("norm.scale"), "merging keeps the other fields");
        cfg.set("norm", ConfigValues.parse("{\"@type\": \"test/LayerNorm\", \"eps\": 0.5}"));
        assertInstanceOf(LayerNorm.class, cfg.get("norm"));
        assertEquals(0.5, cfg.get("norm.eps"));
        cfg.set("heads[new]", ConfigValues.parse("{\"numClasses\": 4}"));
        assertEquals(4, cfg.get("heads[new].numClasses"));
        cfg.set("seed", ConfigValues.parse("null"));
        assertNull(cfg.get("seed"));
    }

    @Test
    void setPath_typeSwapToIncompatibleType_isRefused() {
        ConfigTypeException e =
                assertThrows(
                        ConfigTypeException.class,
                        () -> Fixtures.encoder().set("norm.@type", "test/Head"));
        assertTrue(
                e.getMessage()
                        .startsWith("norm: expected a subtype of Fixtures.Norm, got test/Head"),
                e.getMessage());
        ConfigException unknown =
                assertThrows(
                        ConfigException.class,
                        () -> Fixtures.encoder().set("norm.@type", "test/RmsNrom"));
        assertEquals(
                "norm.@type: unknown config type 'test/RmsNrom'; did you mean test/RmsNorm?",
                unknown.getMessage());
    }

    @Test
    void unknownPath_suggestsNearestField() {
        UnknownFieldException e =
                assertThrows(
                        UnknownFieldException.class, () -> Fixtures.encoder().set("numLayer", 3));
        assertEquals("unknown field numLayer; did you mean numLayers?", e.getMessage());
        assertEquals(List.of("numLayers"), e.suggestions());
        UnknownFieldException nested =
                assertThrows(
                        UnknownFieldException.class, () -> Fixtures.encoder().get("norm.epsilon"));
        assertEquals("unknown field norm.epsilon; did you mean eps?", nested.getMessage());
        UnknownFieldException key =
                assertThrows(
                        UnknownFieldException.class,
                        () -> Fixtures.encoder().set("heads[clss].label", "x"));
        assertEquals("unknown map key heads[clss]; did you mean cls?", key.getMessage());
        UnknownFieldException index =
                assertThrows(UnknownFieldException.class, () -> Fixtures.encoder().get("dims[5]"));
        assertEquals("unknown list index (the list has 2 items) dims[5]", index.getMessage());
    }

    @Test
    void wrongType_namesPathExpectedTypeAndValue() {
        Encoder cfg = Fixtures.encoder();
        ConfigTypeException text =
                assertThrows(
                        ConfigTypeException.class,
                        () -> cfg.set("numLayers", ConfigValues.parse("many")));
        assertEquals("numLayers: expected int, got many (string)", text.getMessage());
        ConfigTypeException fraction =
                assertThrows(
                        ConfigTypeException.class,
                        () -> cfg.set("numLayers", ConfigValues.parse("1.5")));
        assertEquals("numLayers: expected int, got 1.5 (number)", fraction.getMessage());
        ConfigTypeException enumValue =
                assertThrows(
                        ConfigTypeException.class,
                        () -> cfg.set("activation", ConfigValues.parse("TANH")));
        assertEquals(
                "activation: expected one of [RELU, GELU], got TANH (string)",
                enumValue.getMessage());
        ConfigTypeException list =
                assertThrows(
                        ConfigTypeException.class,
                        () -> cfg.set("dims", ConfigValues.parse("[1, \"x\"]")));
        assertEquals("dims: expected list of int, got [1,\"x\"] (array)", list.getMessage());
        ConfigTypeException primitiveNull =
                assertThrows(
                        ConfigTypeException.class,
                        () -> cfg.set("dropout", ConfigValues.parse("null")));
        assertEquals("dropout: expected double, got null", primitiveNull.getMessage());
    }

    @Test
    void flatDump_isSortedAndParseable() {
        Encoder cfg = Fixtures.encoder();
        cfg.set("name", "12");
        String expected =
                String.join(
                        "\n",
                        "@type: test/Encoder",
                        "activation: RELU",
                        "dims: [8,16]",
                        "dropout: 0.0",
                        "heads[cls].@type: test/Head",
                        "heads[cls].label: head",
                        "heads[cls].numClasses: 10",
                        "modelDim: 16",
                        "name: \"12\"",
                        "norm.@type: test/LayerNorm",
                        "norm.eps: 1.0E-5",
                        "numLayers: 2",
                        "window: {\"height\":3,\"width\":3}");
        assertEquals(expected, cfg.toString());
        // Every dumped value, given back as an override, reproduces the config.
        Encoder rebuilt = new Encoder();
        rebuilt.heads.put("cls", new Head());
        for (String line : expected.split("\n")) {
            int colon = line.indexOf(": ");
            String path = line.substring(0, colon);
            if (!path.endsWith("@type")) {
                rebuilt.set(path, ConfigValues.parse(line.substring(colon + 2)));
            }
        }
        assertEquals(cfg, rebuilt);
    }

    @Test
    void toFlatMap_leavesOutUnsetFields() {
        Map<String, Object> flat = new Encoder().toFlatMap();
        assertFalse(flat.containsKey("numLayers"));
        assertFalse(flat.containsKey("seed"));
        assertEquals("test/LayerNorm", flat.get("norm.@type"));
    }

    @Test
    void functionConfig_buildsAFunction() {
        StepPolicy every3 = StepPolicy.everyNSteps(3).instantiate();
        assertEquals(List.of(3L, 6L, 9L), fired(every3));
        StepPolicy late = StepPolicy.everyNSteps(3).minStep(6).instantiate();
        assertEquals(List.of(6L, 9L), fired(late));
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () -> StepPolicy.everyNSteps(0).instantiateAt("checkpointer.policy"));
        assertEquals(
                "checkpointer.policy.n must be positive, got 0 (StepPolicy.EveryNSteps)",
                e.getMessage());
        assertEquals(
                "@type: core/EveryNSteps\nminStep: 1\nn: 5", StepPolicy.everyNSteps(5).toString());
    }

    private static List<Long> fired(StepPolicy policy) {
        return java.util.stream.LongStream.rangeClosed(1, 10).filter(policy::test).boxed().toList();
    }

    @Test
    void rootTypeChange_isRefused() {
        ConfigException e =
                assertThrows(ConfigException.class, () -> new Encoder().set("@type", "test/Head"));
        assertEquals("cannot change the @type of the root config", e.getMessage());
    }
}

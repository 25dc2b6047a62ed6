package io.axlearn.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.testing.TorchGolden;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GroupNormTest {

    @Test
    void forwardAndGradients_matchTorchGolden() {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(GroupNormTest.class, "forward", m);
            GroupNorm norm =
                    GroupNorm.config()
                            .inputDim(g.intMeta("inputDim"))
                            .numGroups(g.intMeta("numGroups"))
                            .instantiate();
            var params = g.params();
            GradCheck.check(
                    g,
                    params,
                    Map.of("x", g.input("x")),
                    in -> norm.forward(ForwardContext.eval(params, m), in.get("x")));
        }
    }

    @Test
    void config_groupsMustDivideChannels() {
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () -> GroupNorm.config().inputDim(6).numGroups(4).instantiateAt("norm"));
        assertEquals(
                "norm.numGroups must divide inputDim=6, got 4 (GroupNorm.Config)", e.getMessage());
    }
}

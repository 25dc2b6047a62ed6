package io.axlearn.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.testing.TorchGolden;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EmbeddingTest {

    private static Embedding layer(TorchGolden g) {
        return Embedding.config()
                .numEmbeddings(g.intMeta("numEmbeddings"))
                .dim(g.intMeta("dim"))
                .instantiate();
    }

    @Test
    void lookup_andGradientToTheTable_matchTorch() {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(EmbeddingTest.class, "lookup", m);
            Embedding emb = layer(g);
            var params = g.params();
            GradCheck.check(
                    g,
                    params,
                    Map.of(),
                    in -> emb.forward(ForwardContext.eval(params, m), g.input("ids")));
        }
    }

    @Test
    void attend_isATiedOutputLayer() {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(EmbeddingTest.class, "attend", m);
            Embedding emb = layer(g);
            var params = g.params();
            GradCheck.check(
                    g,
                    params,
                    Map.of("x", g.input("x")),
                    in -> emb.attend(ForwardContext.eval(params, m), in.get("x")));
            assertEquals(
                    1 / Math.sqrt(4),
                    ((io.axlearn.core.init.Initializer.Normal)
                                    emb.paramSpecs().get("weight").initializer())
                            .get("std"));
        }
    }

    @Test
    void lookup_acceptsInt32IdsAndKeepsTheirShape() {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(EmbeddingTest.class, "lookup", m);
            Embedding emb = layer(g);
            var ids = g.input("ids");
            var y =
                    emb.forward(
                            ForwardContext.eval(g.params(), m),
                            ids.toType(ai.djl.ndarray.types.DataType.INT32, false));
            TorchGolden.assertClose(g.output("y"), y, "y from int32 ids");
        }
    }

    @Test
    void config_errorsNamePaths() {
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () -> Embedding.config().numEmbeddings(0).dim(4).instantiateAt("emb"));
        assertEquals(
                "emb.numEmbeddings must be positive, got 0 (Embedding.Config)", e.getMessage());
        ConfigException dim =
                assertThrows(
                        ConfigException.class,
                        () -> Embedding.config().numEmbeddings(10).dim(-1).instantiateAt("emb"));
        assertEquals("emb.dim must be positive, got -1 (Embedding.Config)", dim.getMessage());
    }
}

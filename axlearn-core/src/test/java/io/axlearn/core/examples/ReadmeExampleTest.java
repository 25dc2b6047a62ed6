package io.axlearn.core.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.attention.HiddenDim;
import io.axlearn.core.attention.TransformerLayer;
import io.axlearn.core.layers.RmsNorm;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.ndarray.Engines;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Runs the README's "define a layer config, instantiate, run forward" example. */
class ReadmeExampleTest {

    @Test
    void readmeExample_runsAndIsShownVerbatim() throws IOException {
        Shape shape;
        // [readme-start]
        var cfg = TransformerLayer.config().inputDim(64).norm(RmsNorm.config()); // swap the norm
        cfg.set("selfAttention.numHeads", 4).set("selfAttention.causal", true);
        cfg.set("feedForward.hiddenDim", new HiddenDim.Scaled(4, 1));
        System.out.println(cfg); // sorted "path: value" dump
        TransformerLayer layer = cfg.instantiate(); // deep copy, validate, freeze, build
        System.out.println(layer.paramSpecDump()); // shapes known without allocating

        try (NDManager params = Engines.pytorch().newBaseManager()) { // parameters live outside
            ParamTree tree = layer.initParams(42, params);
            try (NDManager step = params.newSubManager()) { // temporaries die with the step
                NDArray x = step.randomNormal(new Shape(2, 16, 64));
                NDArray y = layer.forward(ForwardContext.eval(tree, step), x);
                System.out.println(y.getShape()); // (2, 16, 64)
                // [readme-end]
                shape = y.getShape();
            }
        }
        assertEquals(new Shape(2, 16, 64), shape);
        String source =
                Files.readString(
                        Path.of("src/test/java/io/axlearn/core/examples/ReadmeExampleTest.java"));
        String example =
                source.substring(
                        source.indexOf("// [readme-start]\n") + 18,
                        source.indexOf("                // [readme-end]"));
        String readme = Files.readString(Path.of("..", "README.md"));
        String unindented =
                example.lines()
                        .map(l -> l.length() >= 8 ? l.substring(8) : l.strip())
                        .reduce("", (a, b) -> a + b + "\n");
        assertTrue(
                readme.contains(unindented.strip()),
                "README.md must show the example exactly:\n" + unindented);
    }
}

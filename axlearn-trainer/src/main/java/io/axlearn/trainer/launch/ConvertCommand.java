package io.axlearn.trainer.launch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.io.OnnxWeights;
import io.axlearn.core.io.SafeTensors;
import io.axlearn.core.io.WeightFamily;
import io.axlearn.core.io.WeightMap;
import io.axlearn.core.ndarray.Engines;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.Callable;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code axlearn convert}: rewrites a safetensors file between a foreign naming (Hugging Face
 * {@code hf}, torchvision {@code torch}) and ours ({@code axlearn}) with the {@link WeightMap} of
 * one model family ({@link WeightFamily}: bert, gpt2, llama, vit, resnet). The output of {@code
 * --from hf|torch} is a parameter file that {@code --set initFrom.path=...} fine-tunes from; the
 * output of {@code --from axlearn} loads with Hugging Face's or torchvision's {@code
 * load_state_dict}. With {@code --from hf|torch} the input may also be an ONNX model exported from
 * PyTorch ({@link OnnxWeights#stateDict}: all-MiniLM-L6-v2 of the langchain4j jar, for one).
 */
@Command(
        name = "convert",
        mixinStandardHelpOptions = true,
        description =
                "Convert a safetensors file between Hugging Face/torchvision names and layouts"
                        + " (--from hf|torch) and axlearn's (--from axlearn).")
final class ConvertCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--from",
            required = true,
            description = "Naming of --input: hf, torch or axlearn.")
    String from;

    @Option(
            names = "--family",
            required = true,
            description = "Model family: bert, gpt2, llama, vit, resnet.")
    String family;

    @Option(
            names = "--input",
            required = true,
            description =
                    "The .safetensors file to read, or with --from hf|torch an .onnx model exported"
                            + " from PyTorch (its initializers).")
    Path input;

    @Option(names = "--output", required = true, description = "The .safetensors file to write.")
    Path output;

    @Option(
            names = "--only",
            description =
                    "Convert only our parameter paths fully matching this regular expression"
                            + " (a partial conversion, e.g. 'bert/.*').")
    String only;

    @Option(
            names = "--allow-unknown",
            description = "Skip tensors the family does not name instead of failing.")
    boolean allowUnknown;

    @Option(
            names = "--with-tied",
            description =
                    "With --from axlearn: also write tied aliases (GPT-2's lm_head.weight, BERT's"
                            + " cls.predictions.decoder.*).")
    boolean withTied;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        WeightFamily f = WeightFamily.named(family);
        boolean toOurs = !from.equals("axlearn");
        if (toOurs && !from.equals(f.format())) {
            throw new ConfigException(
                    "--from "
                            + from
                            + ": family "
                            + family
                            + " reads "
                            + f.format()
                            + " names (use --from "
                            + f.format()
                            + ", or --from axlearn to export)");
        }
        if (!Files.isRegularFile(input)) {
            throw new ConfigException("--input " + input + ": no such file");
        }
        WeightMap.Selection sel =
                WeightMap.Selection.all().allowUnknown(allowUnknown).writeTied(withTied);
        if (only != null) {
            try {
                sel = sel.only(only);
            } catch (PatternSyntaxException e) {
                throw new ConfigException(
                        "--only is not a regular expression: " + e.getDescription());
            }
        }
        Engines.pytorch();
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors;
            if (input.toString().endsWith(".onnx")) {
                if (!toOurs) {
                    throw new ConfigException(
                            "--input "
                                    + input
                                    + ": an ONNX model holds foreign names; use --from "
                                    + f.format());
                }
                try (var in = Files.newInputStream(input)) {
                    tensors = OnnxWeights.read(in, input.toString(), manager).stateDict();
                }
            } else {
                tensors = SafeTensors.read(input, manager).tensors();
            }
            WeightMap.Converted converted;
            try {
                converted =
                        toOurs
                                ? f.forForeign(tensors.keySet()).toOurs(tensors, sel)
                                : f.forOurs(tensors.keySet()).toForeign(tensors, sel);
            } catch (ConfigException e) {
                throw e.withContext(input.toString());
            }
            SortedMap<String, NDArray> result = converted.tensors();
            Map<String, String> metadata =
                    toOurs ? Map.of("format", "axlearn", "family", family) : Map.of("format", "pt");
            Path parent = output.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            SafeTensors.write(output, result, metadata);
            out.println(
                    "wrote "
                            + output
                            + ": "
                            + result.size()
                            + " tensors in "
                            + (toOurs ? "axlearn" : f.format())
                            + " names"
                            + (converted.skipped().isEmpty()
                                    ? ""
                                    : "; skipped "
                                            + converted.skipped().size()
                                            + " ("
                                            + String.join(", ", first(converted.skipped()))
                                            + ")"));
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        return 0;
    }

    private static java.util.List<String> first(java.util.List<String> names) {
        if (names.size() <= 4) {
            return names;
        }
        java.util.List<String> shown = new java.util.ArrayList<>(names.subList(0, 4));
        shown.add("...");
        return shown;
    }
}

package io.axlearn.core.serving;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.axlearn.core.config.ConfigBase;
import io.axlearn.core.config.ConfigJson;
import io.axlearn.core.io.SafeTensors;
import io.axlearn.core.module.ParamTree;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * A DJL model directory holding one of our models: {@code serving.properties} (engine PyTorch,
 * {@code option.hasParameter=false} because the weights are ours, not DJL {@code .params}, plus the
 * block factory, translator factory and their arguments), {@code config.json} (the model's config,
 * our JSON with {@code @type} names) and {@code model.safetensors} (its parameters in our paths).
 * DJL's {@code Criteria.optModelPath(dir)} loads it; the family's {@code BlockFactory} rebuilds the
 * model with {@link #config} and {@link #params}.
 */
public final class ModelDirectory {
    /** The config file. */
    public static final String CONFIG = "config.json";

    /** The weights file. */
    public static final String WEIGHTS = "model.safetensors";

    private ModelDirectory() {}

    /**
     * Writes the directory.
     *
     * @param dir the directory (created)
     * @param cfg the model's config
     * @param params its parameters by path
     * @param properties {@code serving.properties} lines besides the engine and {@code
     *     hasParameter} ({@code blockFactory}, {@code translatorFactory}, their arguments)
     */
    public static void write(
            Path dir,
            ConfigBase<?> cfg,
            Map<String, NDArray> params,
            Map<String, String> properties)
            throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(CONFIG), ConfigJson.toJson(cfg));
        SafeTensors.write(dir.resolve(WEIGHTS), params, Map.of("format", "axlearn"));
        StringBuilder s = new StringBuilder("engine=PyTorch\noption.hasParameter=false\n");
        new TreeMap<>(properties).forEach((k, v) -> s.append(k).append('=').append(v).append('\n'));
        Files.writeString(dir.resolve("serving.properties"), s.toString());
    }

    /** The model config of the directory. */
    public static <C extends ConfigBase<?>> C config(Path dir, Class<C> type) {
        try {
            return ConfigJson.fromJson(Files.readString(dir.resolve(CONFIG)), type);
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": " + e.getMessage(), e);
        }
    }

    /** The parameters of the directory, read onto {@code manager} (the DJL model's). */
    public static ParamTree params(Path dir, NDManager manager) {
        try {
            return ParamTree.of(SafeTensors.read(dir.resolve(WEIGHTS), manager).tensors());
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": " + e.getMessage(), e);
        }
    }
}

package io.axlearn.trainer.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.axlearn.core.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * A generation task to evaluate a model through an API ({@code axlearn eval-api}, axlearn's {@code
 * open_api} evaluation): prompts, each with the text a perfect model continues it with. Named tasks
 * come from {@link ApiTaskProvider}s on the class path; any task can also be a JSON-lines file
 * ({@link #fromJsonl}).
 *
 * @param name the task's name (the summary stream its metrics are written to)
 * @param examples its prompts and references, in a fixed order
 */
public record ApiTask(String name, List<Example> examples) {
    /**
     * One prompt and the reference continuation.
     *
     * @param prompt the text sent as {@code prompt}
     * @param reference what should follow it, up to the end of the line
     */
    public record Example(String prompt, String reference) {}

    public ApiTask {
        examples = List.copyOf(examples);
    }

    /**
     * The task {@code name} of the {@link ApiTaskProvider}s on the class path.
     *
     * @throws ConfigException if no provider has it, listing the names there are
     */
    public static ApiTask named(String name) {
        SortedMap<String, Supplier<ApiTask>> tasks = new TreeMap<>();
        ServiceLoader.load(ApiTaskProvider.class).forEach(p -> tasks.putAll(p.tasks()));
        Supplier<ApiTask> task = tasks.get(name);
        if (task == null) {
            throw new ConfigException(
                    "--task "
                            + name
                            + ": no such task; known: "
                            + (tasks.isEmpty() ? "(none)" : String.join(", ", tasks.keySet()))
                            + " (or give --task-file)");
        }
        return task.get();
    }

    /**
     * A task from {@code file}: one JSON object a line with string fields {@code prompt} and {@code
     * reference}; blank lines are skipped. The task's name is the file's name without its
     * extension.
     *
     * @throws ConfigException naming the file and line of a line that is not such an object
     */
    public static ApiTask fromJsonl(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new ConfigException("--task-file " + file + ": cannot read it (" + e + ")");
        }
        ObjectMapper json = new ObjectMapper();
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String where = file + ":" + (i + 1);
            JsonNode node;
            try {
                node = json.readTree(lines.get(i));
            } catch (JsonProcessingException e) {
                throw new ConfigException(where + ": not JSON (" + e.getOriginalMessage() + ")");
            }
            JsonNode prompt = node.path("prompt");
            JsonNode reference = node.path("reference");
            if (!prompt.isTextual() || !reference.isTextual() || prompt.asText().isEmpty()) {
                throw new ConfigException(
                        where + ": need string fields \"prompt\" (not empty) and \"reference\"");
            }
            examples.add(new Example(prompt.asText(), reference.asText()));
        }
        if (examples.isEmpty()) {
            throw new ConfigException("--task-file " + file + " has no examples");
        }
        String name = file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        return new ApiTask(name, examples);
    }
}

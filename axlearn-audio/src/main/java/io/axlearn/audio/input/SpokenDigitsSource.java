package io.axlearn.audio.input;

import io.axlearn.core.config.ConfigException;
import io.axlearn.core.input.ExampleSource;
import io.axlearn.core.io.DebianPackages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Spoken digit strings synthesised offline, the {@code audio.digits} task: {@code count} clips of 1
 * to 7 digits ("four zero seven", transcript {@code "4 0 7"}) spoken by Debian's {@code espeak-ng}
 * (English accents and voice variants, speeds 120-220 words per minute, pitches 20-80) or {@code
 * flite} (its voices), resampled to 16 kHz 16-bit WAV files and listed in a manifest read by {@link
 * ManifestSource}. Generated on first use into {@code dir/<split>-<count>/} (the packages installed
 * with apt-get when missing, as root); later uses read the cache.
 *
 * <p>Splits keep voices apart: {@code TRAIN} uses espeak-ng voice variants that {@code
 * HELD_OUT_ESPEAK} never uses (and the other way round); {@code HELD_OUT_FLITE} is a synthesiser
 * the training split never contains. Each split draws its digits from its own seed.
 */
public final class SpokenDigitsSource extends ExampleSource.Config<SpokenDigitsSource> {

    /** Which voices speak. */
    public enum Split {
        /** espeak-ng with the training variants. */
        TRAIN,
        /** espeak-ng with variants unseen in training. */
        HELD_OUT_ESPEAK,
        /** flite: a synthesiser unseen in training. */
        HELD_OUT_FLITE
    }

    /** The transcript alphabet: space and the ten digits. */
    public static final String ALPHABET = " 0123456789";

    /** Cache folder default: {@code ~/.cache/axlearn/spoken-digits}. */
    public static final String DEFAULT_DIR =
            Path.of(System.getProperty("user.home"), ".cache", "axlearn", "spoken-digits")
                    .toString();

    private static final String[] WORDS = {
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"
    };
    private static final String[] ACCENTS = {
        "en-us", "en", "en-gb-x-rp", "en-029", "en-gb-scotland"
    };
    private static final String[] TRAIN_VARIANTS = {
        "m1", "m2", "m3", "m4", "f1", "f2", "f3", "klatt", "klatt3", "croak", "grandpa", "john",
        "max", "linda", "steph", "robert", "paul", "quincy", "zac", "Annie"
    };
    private static final String[] HELD_OUT_VARIANTS = {
        "m5", "m6", "m7", "f4", "f5", "klatt2", "edward", "belinda", "david", "shelby"
    };
    private static final String[] FLITE_VOICES = {"kal", "kal16", "awb", "rms", "slt"};
    private static final int RATE = 16000;

    /** The split. */
    private Split split = Split.TRAIN;

    /** Number of clips. */
    private int count = 4000;

    /** Cache folder. */
    private String dir = DEFAULT_DIR;

    /** Padded clip duration in seconds; longer clips (rare, slow voices) are dropped. */
    private double maxSeconds = 6.0;

    /** Sets the split. */
    public SpokenDigitsSource split(Split v) {
        return set(() -> split = v);
    }

    /** Sets the number of clips. */
    public SpokenDigitsSource count(int v) {
        return set(() -> count = v);
    }

    /** Sets the cache folder. */
    public SpokenDigitsSource dir(String v) {
        return set(() -> dir = v);
    }

    /** Sets the padded duration. */
    public SpokenDigitsSource maxSeconds(double v) {
        return set(() -> maxSeconds = v);
    }

    /** The vocabulary of the transcripts. */
    public static CharVocab.Config vocab() {
        return CharVocab.config().alphabet(ALPHABET);
    }

    @Override
    protected void validate() {
        if (count <= 0) {
            throw invalid("count", "must be positive, got " + count);
        }
    }

    @Override
    protected ExampleSource create() {
        Path manifest = ensureGenerated(Path.of(dir), split, count);
        return new ManifestSource()
                .manifest(manifest.toString())
                .sampleRate(RATE)
                .maxSeconds(maxSeconds)
                .maxTextLength(2 * 7)
                .vocab(vocab())
                .dropLonger(true)
                .instantiateAt(path());
    }

    /** The manifest of a split, generating its clips first when the cache lacks them. */
    public static synchronized Path ensureGenerated(Path root, Split split, int count) {
        Path folder = root.resolve(split.name().toLowerCase(java.util.Locale.ROOT) + "-" + count);
        Path manifest = folder.resolve("manifest.tsv");
        if (Files.isRegularFile(manifest)) {
            return manifest;
        }
        if (split == Split.HELD_OUT_FLITE) {
            DebianPackages.require(Path.of("/usr/bin/flite"), "flite", "audio.digits");
        } else {
            DebianPackages.require(Path.of("/usr/bin/espeak-ng"), "espeak-ng", "audio.digits");
        }
        System.err.println(
                "axlearn: synthesising " + count + " spoken digit strings into " + folder);
        try {
            Files.createDirectories(root);
            Path tmp = Files.createTempDirectory(root, folder.getFileName() + ".tmp");
            List<String> lines = generate(tmp, split, count);
            Files.write(tmp.resolve("manifest.tsv"), lines);
            Files.move(tmp, folder, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + folder + ": " + e.getMessage(), e);
        }
        return manifest;
    }

    private static List<String> generate(Path out, Split split, int count) throws IOException {
        SplittableRandom random = new SplittableRandom(1000 + split.ordinal());
        List<String[]> jobs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int n = 1 + random.nextInt(7);
            StringBuilder words = new StringBuilder();
            StringBuilder text = new StringBuilder();
            for (int k = 0; k < n; k++) {
                int d = random.nextInt(10);
                words.append(k == 0 ? "" : " ").append(WORDS[d]);
                text.append(k == 0 ? "" : " ").append(d);
            }
            String file = String.format("%05d.wav", i);
            List<String> command = new ArrayList<>();
            if (split == Split.HELD_OUT_FLITE) {
                String voice = FLITE_VOICES[random.nextInt(FLITE_VOICES.length)];
                command.addAll(
                        List.of("flite", "-voice", voice, "-t", words.toString(), "-o", file));
            } else {
                String[] variants = split == Split.TRAIN ? TRAIN_VARIANTS : HELD_OUT_VARIANTS;
                String voice =
                        ACCENTS[random.nextInt(ACCENTS.length)]
                                + "+"
                                + variants[random.nextInt(variants.length)];
                command.addAll(
                        List.of(
                                "espeak-ng",
                                "-v",
                                voice,
                                "-s",
                                Integer.toString(120 + random.nextInt(101)),
                                "-p",
                                Integer.toString(20 + random.nextInt(61)),
                                "-w",
                                file,
                                words.toString()));
            }
            jobs.add(new String[] {file, text.toString(), String.join("\u0000", command)});
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<String>> lines = new ArrayList<>();
            for (String[] job : jobs) {
                lines.add(
                        pool.submit(() -> synthesise(out, job[0], job[1], job[2].split("\u0000"))));
            }
            List<String> manifest = new ArrayList<>();
            for (Future<String> f : lines) {
                manifest.add(f.get());
            }
            return manifest;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while synthesising digits", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r
                    ? r
                    : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Runs the synthesiser, resamples its output to 16 kHz in place; the manifest line. */
    private static String synthesise(Path out, String file, String text, String[] command) {
        try {
            Process p =
                    new ProcessBuilder(command)
                            .directory(out.toFile())
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .redirectError(ProcessBuilder.Redirect.DISCARD)
                            .start();
            if (p.waitFor() != 0) {
                throw new ConfigException(
                        String.join(" ", command) + " failed with status " + p.exitValue());
            }
            Path wav = out.resolve(file);
            WavFile.Waveform w = WavFile.read(wav);
            WavFile.write(wav, Resampler.resample(w.samples(), w.sampleRate(), RATE), RATE);
            return file + "\t" + text;
        } catch (IOException e) {
            throw new UncheckedIOException(String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}

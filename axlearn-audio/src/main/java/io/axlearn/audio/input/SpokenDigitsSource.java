package io.axlearn.audio.input;

import io.axlearn.core.config.ConfigException;
import io.axlearn.core.config.ConfigPath;
import io.axlearn.core.input.ExampleSource;
import io.axlearn.core.io.DebianPackages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
 *
 * <p>Two options make the clips more varied, both off by default: {@code perturbation} ({@link
 * ClipPerturbation}: speed, telephone band, gain, noise, each clip from its own seed) and {@code
 * festivalFraction}, the share of clips spoken by Debian's {@code festival} with its {@code
 * ked_diphone} voice (package {@code festvox-kdlpc16k}, durations stretched 0.8-1.3x) instead of
 * espeak-ng. Festival is flite's ancestor (flite is its small C rewrite, from the same group), but
 * ked is a speaker none of the flite voices use. A corpus with either option is cached under its
 * own folder, {@code <split>-<count>-<digest of the options>}.
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

    /**
     * The file beside each corpus's manifest that names each clip's synthesiser and voice ({@code
     * file<TAB>voice}), for error rates per voice.
     */
    public static final String VOICES = "voices.tsv";

    /** Festival clips per festival process. */
    private static final int FESTIVAL_BATCH = 50;

    private static final String[] FLITE_VOICES = {"kal", "kal16", "awb", "rms", "slt"};
    private static final int RATE = 16000;
    private static final String FESTIVAL_VOICE = "ked_diphone";

    /** The split. */
    private Split split = Split.TRAIN;

    /** Number of clips. */
    private int count = 4000;

    /** Cache folder. */
    private String dir = DEFAULT_DIR;

    /** Padded clip duration in seconds; longer clips (rare, slow voices) are dropped. */
    private double maxSeconds = 6.0;

    /** Waveform perturbations applied to each clip when it is generated (default: none). */
    private ClipPerturbation.Config perturbation = ClipPerturbation.config();

    /**
     * Share of the clips spoken by festival's {@code ked_diphone} voice instead of espeak-ng, in
     * {@code [0, 1]}; not allowed for {@code HELD_OUT_FLITE}.
     */
    private double festivalFraction = 0;

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

    /** Sets the perturbations (stored as a copy). */
    public SpokenDigitsSource perturbation(ClipPerturbation.Config v) {
        return set(() -> perturbation = v.copy());
    }

    /** Sets the share of festival clips. */
    public SpokenDigitsSource festivalFraction(double v) {
        return set(() -> festivalFraction = v);
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
        if (festivalFraction < 0 || festivalFraction > 1) {
            throw invalid("festivalFraction", "must be in [0, 1], got " + festivalFraction);
        }
        if (festivalFraction > 0 && split == Split.HELD_OUT_FLITE) {
            throw invalid("festivalFraction", "must be 0 for HELD_OUT_FLITE (flite only)");
        }
    }

    @Override
    protected ExampleSource create() {
        Recipe recipe =
                new Recipe(
                        split,
                        count,
                        perturbation.instantiateAt(ConfigPath.child(path(), "perturbation")),
                        festivalFraction);
        Path manifest = ensureGenerated(Path.of(dir), recipe);
        return new ManifestSource()
                .manifest(manifest.toString())
                .sampleRate(RATE)
                .maxSeconds(maxSeconds)
                .maxTextLength(2 * 7)
                .vocab(vocab())
                .dropLonger(true)
                .instantiateAt(path());
    }

    /**
     * What a corpus is made of: the split's voices, the number of clips, the perturbations and the
     * festival share. Equal recipes give equal corpora.
     *
     * @param split the voices
     * @param count number of clips
     * @param perturbation applied to every clip after resampling
     * @param festivalFraction share of clips spoken by festival instead of espeak-ng
     */
    public record Recipe(
            Split split, int count, ClipPerturbation perturbation, double festivalFraction) {

        /** A plain corpus: no perturbation, no festival. */
        public static Recipe plain(Split split, int count) {
            return new Recipe(split, count, ClipPerturbation.config().instantiate(), 0);
        }

        /**
         * The cache folder's name: {@code <split>-<count>}, plus a digest of the options when any
         * is on (so that plain corpora keep the name they always had).
         */
        public String folderName() {
            String name = split.name().toLowerCase(Locale.ROOT) + "-" + count;
            if (perturbation.getConfig().isIdentity() && festivalFraction == 0) {
                return name;
            }
            String options = perturbation.getConfig().toFlatMap() + " festival=" + festivalFraction;
            return name + "-" + Integer.toHexString(options.hashCode());
        }
    }

    /** The manifest of a plain split, generating its clips first when the cache lacks them. */
    public static Path ensureGenerated(Path root, Split split, int count) {
        return ensureGenerated(root, Recipe.plain(split, count));
    }

    /** The manifest of a corpus, generating its clips first when the cache lacks them. */
    public static synchronized Path ensureGenerated(Path root, Recipe recipe) {
        Path folder = root.resolve(recipe.folderName());
        Path manifest = folder.resolve("manifest.tsv");
        if (Files.isRegularFile(manifest)) {
            return manifest;
        }
        if (recipe.split() == Split.HELD_OUT_FLITE) {
            DebianPackages.require(Path.of("/usr/bin/flite"), "flite", "audio.digits");
        } else {
            DebianPackages.require(Path.of("/usr/bin/espeak-ng"), "espeak-ng", "audio.digits");
        }
        if (recipe.festivalFraction() > 0) {
            DebianPackages.require(Path.of("/usr/bin/festival"), "festival", "audio.digits");
            DebianPackages.require(
                    Path.of("/usr/share/festival/voices/english/" + FESTIVAL_VOICE),
                    "festvox-kdlpc16k",
                    "audio.digits");
        }
        System.err.println(
                "axlearn: synthesising " + recipe.count() + " spoken digit strings into " + folder);
        try {
            Files.createDirectories(root);
            Path tmp = Files.createTempDirectory(root, folder.getFileName() + ".tmp");
            List<String> lines = generate(tmp, recipe);
            Files.write(tmp.resolve("manifest.tsv"), lines);
            Files.move(tmp, folder, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + folder + ": " + e.getMessage(), e);
        }
        return manifest;
    }

    private static List<String> generate(Path out, Recipe recipe) throws IOException {
        Split split = recipe.split();
        int count = recipe.count();
        SplittableRandom random = new SplittableRandom(1000 + split.ordinal());
        List<Clip> clips = new ArrayList<>();
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
            long seed = 7919L * i + split.ordinal();
            // Drawn only when festival is on, so that plain corpora keep their clips.
            boolean festival =
                    recipe.festivalFraction() > 0
                            && random.nextDouble() < recipe.festivalFraction();
            List<String> command;
            String voice;
            if (festival) {
                double stretch = 0.8 + 0.5 * random.nextDouble();
                voice =
                        String.format(
                                Locale.ROOT, "festival %s stretch %.2f", FESTIVAL_VOICE, stretch);
                command =
                        List.of(
                                String.format(
                                        Locale.ROOT,
                                        "(Parameter.set 'Duration_Stretch %.2f)%n"
                                                + "(utt.save.wave (SynthText \"%s\") \"%s\" 'riff)",
                                        stretch,
                                        words,
                                        file));
            } else if (split == Split.HELD_OUT_FLITE) {
                String name = FLITE_VOICES[random.nextInt(FLITE_VOICES.length)];
                voice = "flite " + name;
                command = List.of("flite", "-voice", name, "-t", words.toString(), "-o", file);
            } else {
                String[] variants = split == Split.TRAIN ? TRAIN_VARIANTS : HELD_OUT_VARIANTS;
                String name =
                        ACCENTS[random.nextInt(ACCENTS.length)]
                                + "+"
                                + variants[random.nextInt(variants.length)];
                String speed = Integer.toString(120 + random.nextInt(101));
                String pitch = Integer.toString(20 + random.nextInt(61));
                voice = "espeak-ng " + name + " speed " + speed + " pitch " + pitch;
                command =
                        List.of(
                                "espeak-ng",
                                "-v",
                                name,
                                "-s",
                                speed,
                                "-p",
                                pitch,
                                "-w",
                                file,
                                words.toString());
            }
            clips.add(new Clip(file, text.toString(), voice, festival, command, seed));
        }
        // One job per espeak-ng or flite clip; festival's clips in batches of one script each,
        // since starting festival costs more than speaking a clip.
        List<List<Clip>> jobs = new ArrayList<>();
        List<Clip> festivalBatch = new ArrayList<>();
        for (Clip clip : clips) {
            if (!clip.festival()) {
                jobs.add(List.of(clip));
                continue;
            }
            festivalBatch.add(clip);
            if (festivalBatch.size() == FESTIVAL_BATCH) {
                jobs.add(festivalBatch);
                festivalBatch = new ArrayList<>();
            }
        }
        if (!festivalBatch.isEmpty()) {
            jobs.add(festivalBatch);
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (List<Clip> job : jobs) {
                done.add(pool.submit(() -> synthesise(out, job, recipe.perturbation())));
            }
            for (Future<?> f : done) {
                f.get();
            }
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
        List<String> manifest = new ArrayList<>();
        List<String> voices = new ArrayList<>();
        for (Clip clip : clips) {
            manifest.add(clip.file() + "\t" + clip.text());
            voices.add(clip.file() + "\t" + clip.voice());
        }
        Files.write(out.resolve(VOICES), voices);
        return manifest;
    }

    /**
     * One clip to synthesise.
     *
     * @param file WAV file name in the corpus folder
     * @param text transcript
     * @param voice who spoke it, for {@value #VOICES}
     * @param festival spoken by festival: {@code command} is one Scheme expression of its script
     * @param command the synthesiser's command line, or festival's Scheme lines
     * @param seed the perturbation's seed
     */
    private record Clip(
            String file,
            String text,
            String voice,
            boolean festival,
            List<String> command,
            long seed) {}

    /**
     * Runs the synthesiser for {@code clips} (one command, or one festival script for them all),
     * then resamples each output to 16 kHz and perturbs it in place.
     */
    private static Void synthesise(Path out, List<Clip> clips, ClipPerturbation perturbation) {
        List<String> command;
        Path script = null;
        try {
            if (clips.get(0).festival()) {
                script = out.resolve(clips.get(0).file() + ".scm");
                List<String> lines = new ArrayList<>(List.of("(voice_" + FESTIVAL_VOICE + ")"));
                clips.forEach(c -> lines.addAll(c.command()));
                Files.write(script, lines);
                command = List.of("festival", "-b", script.toString());
            } else {
                command = clips.get(0).command();
            }
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
            for (Clip clip : clips) {
                Path wav = out.resolve(clip.file());
                if (!Files.isRegularFile(wav)) {
                    throw new ConfigException(
                            String.join(" ", command) + " wrote no " + clip.file());
                }
                WavFile.Waveform w = WavFile.read(wav);
                float[] samples = Resampler.resample(w.samples(), w.sampleRate(), RATE);
                WavFile.write(wav, perturbation.apply(samples, RATE, clip.seed()), RATE);
            }
            if (script != null) {
                Files.delete(script);
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("synthesising " + clips.get(0).file() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}

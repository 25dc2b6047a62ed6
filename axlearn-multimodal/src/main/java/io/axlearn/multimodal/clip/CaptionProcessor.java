package io.axlearn.multimodal.clip;

import ai.djl.ndarray.types.Shape;
import io.axlearn.core.config.ConfigPath;
import io.axlearn.core.config.Required;
import io.axlearn.core.input.Example;
import io.axlearn.core.input.Processor;
import io.axlearn.text.tokenizers.ByteTokenizer;
import io.axlearn.text.tokenizers.Tokenizer;
import io.axlearn.vision.input.ImageFeatures;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Gives a labelled image a caption made from its class name: one of {@code templates} (each holding
 * {@code {label}}) with the name of class {@link ImageFeatures#LABEL} put in, chosen anew at every
 * read from the input's draw, tokenised and cut or padded to {@code length}. Adds {@link #TEXT_IDS}
 * and {@link #TEXT_MASK} ({@code int[length]}, 1 for real tokens); the pad id is 0.
 *
 * <p>{@link #captions} makes the captions of every class with the first template: the prompts of
 * zero-shot classification ({@link ClipModel.Config#zeroShotPrompts}).
 */
public final class CaptionProcessor extends Processor.Config<CaptionProcessor> {
    /** Feature of the caption's token ids. */
    public static final String TEXT_IDS = "text_ids";

    /** Feature of the caption's mask: 1 for tokens, 0 for padding. */
    public static final String TEXT_MASK = "text_mask";

    /** The placeholder a template's class name replaces. */
    public static final String LABEL = "{label}";

    /** Class names in label order. */
    @Required private List<String> classNames;

    /** Caption templates, each holding {@value #LABEL}. */
    @Required private List<String> templates;

    /** The tokenizer of the captions. */
    private Tokenizer.Config<?> tokenizer = ByteTokenizer.config();

    /** Tokens per caption; longer ones are cut. */
    @Required private Integer length;

    /** Seed mixed into the draw that picks a template. */
    private long seed = 0;

    /** Sets the class names (copied). */
    public CaptionProcessor classNames(List<String> v) {
        List<String> c = new ArrayList<>(v);
        return set(() -> classNames = c);
    }

    /** Sets the templates (copied). */
    public CaptionProcessor templates(List<String> v) {
        List<String> c = new ArrayList<>(v);
        return set(() -> templates = c);
    }

    /** Sets the tokenizer (copied). */
    public CaptionProcessor tokenizer(Tokenizer.Config<?> v) {
        return set(() -> tokenizer = v.copy());
    }

    /** Sets the tokens per caption. */
    public CaptionProcessor length(int v) {
        return set(() -> length = v);
    }

    /** Sets the seed. */
    public CaptionProcessor seed(long v) {
        return set(() -> seed = v);
    }

    /** The templates. */
    public List<String> templates() {
        return List.copyOf(templates);
    }

    @Override
    protected void validate() {
        if (classNames.isEmpty()) {
            throw invalid("classNames", "must not be empty");
        }
        if (templates.isEmpty()) {
            throw invalid("templates", "must not be empty");
        }
        for (String t : templates) {
            if (!t.contains(LABEL)) {
                throw invalid("templates", "'" + t + "' has no " + LABEL);
            }
        }
        if (length <= 0) {
            throw invalid("length", "must be positive, got " + length);
        }
    }

    /** Token ids and masks of several captions, row-major {@code [count, length]}. */
    public record Captions(int[] ids, int[] mask, Shape shape) {}

    /** The caption of every class with the first template, in label order. */
    public Captions captions(String configPath) {
        Tokenizer t = tokenizer.instantiateAt(ConfigPath.child(configPath, "tokenizer"));
        int len = length;
        int[] ids = new int[classNames.size() * len];
        int[] mask = new int[ids.length];
        for (int k = 0; k < classNames.size(); k++) {
            int[] tokens = t.encode(templates.get(0).replace(LABEL, classNames.get(k)));
            System.arraycopy(Arrays.copyOf(tokens, len), 0, ids, k * len, len);
            Arrays.fill(mask, k * len, k * len + Math.min(len, tokens.length), 1);
        }
        return new Captions(ids, mask, new Shape(classNames.size(), len));
    }

    @Override
    protected Processor create() {
        Tokenizer t = tokenizer.instantiateAt(ConfigPath.child(path(), "tokenizer"));
        List<String> names = List.copyOf(classNames);
        List<String> forms = List.copyOf(templates);
        int len = length;
        long mix = seed;
        String where = path();
        return new Processor() {
            @Override
            public Example apply(Example e) {
                return apply(e, 0);
            }

            @Override
            public Example apply(Example e, long draw) {
                int label = e.ints(ImageFeatures.LABEL)[0];
                if (label < 0 || label >= names.size()) {
                    throw new IllegalArgumentException(
                            where
                                    + ": label "
                                    + label
                                    + " has no class name ("
                                    + names.size()
                                    + " names)");
                }
                long r = splitMix(draw ^ mix);
                String text =
                        forms.get((int) Math.floorMod(r, (long) forms.size()))
                                .replace(LABEL, names.get(label));
                int[] tokens = t.encode(text);
                int[] ids = Arrays.copyOf(tokens, len);
                int[] mask = new int[len];
                Arrays.fill(mask, 0, Math.min(len, tokens.length), 1);
                return e.with(TEXT_IDS, ids).with(TEXT_MASK, mask);
            }
        };
    }

    /** SplitMix64's finaliser: spreads consecutive draws over all bits. */
    private static long splitMix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}

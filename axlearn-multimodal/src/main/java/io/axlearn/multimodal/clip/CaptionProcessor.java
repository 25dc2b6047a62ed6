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
import java.util.Optional;

/**
 * Gives a labelled image a caption made from its class name and from the image itself: one of
 * {@code templates} (each holding {@code {label}}), chosen anew at every read from the input's
 * draw, with {@code {label}} replaced by the image's description, tokenised and cut or padded to
 * {@code length}. Adds {@link #TEXT_IDS} and {@link #TEXT_MASK} ({@code int[length]}, 1 for real
 * tokens); the pad id is 0.
 *
 * <p>The description is the name of class {@link ImageFeatures#LABEL} with the words of {@code
 * attributes} around it, in their order: those measured from the image ({@link ImageAttribute}:
 * "small", "dark", "thin", ...) before the name, the others ("leaning right", "on the left") after
 * it; "a small dark sandal on the right", "a thin handwritten seven leaning right". Each word is
 * kept with probability {@code attributeProbability}, drawn at every read, so training sees both
 * the bare class name and its detailed forms. A template's "a" before a description that starts
 * with a vowel becomes "an".
 *
 * <p>{@link #captions} makes the captions of every class with the first template and no attributes:
 * the prompts of zero-shot classification ({@link ClipModel.Config#zeroShotPrompts}).
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

    /** The words measured from each image, in caption order; empty: the class name alone. */
    private List<ImageAttribute> attributes = new ArrayList<>();

    /** Probability that each attribute word of an image is in a caption, in {@code [0, 1]}. */
    private double attributeProbability = 1;

    /** Image height {@code H} in pixels, for the attributes (one channel, {@code H x W}). */
    private Integer imageHeight;

    /** Image width {@code W} in pixels, for the attributes. */
    private Integer imageWidth;

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

    /** Adds an attribute after the others (stored as a copy). */
    public CaptionProcessor addAttribute(ImageAttribute v) {
        return set(
                () -> {
                    List<ImageAttribute> list = new ArrayList<>(attributes);
                    list.add(v.copy());
                    attributes = list;
                });
    }

    /** Sets the probability of each attribute word. */
    public CaptionProcessor attributeProbability(double v) {
        return set(() -> attributeProbability = v);
    }

    /** Sets the image shape {@code H x W} the attributes measure. */
    public CaptionProcessor imageShape(int height, int width) {
        return set(
                () -> {
                    imageHeight = height;
                    imageWidth = width;
                });
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
        if (!(attributeProbability >= 0 && attributeProbability <= 1)) {
            throw invalid("attributeProbability", "must be in [0, 1], got " + attributeProbability);
        }
        if (!attributes.isEmpty() && (imageHeight == null || imageWidth == null)) {
            throw invalid("imageHeight", "the attributes need the image shape (imageShape)");
        }
        if (imageHeight != null && (imageHeight <= 0 || imageWidth == null || imageWidth <= 0)) {
            throw invalid(
                    "imageHeight",
                    "image shape must be positive, got " + imageHeight + "x" + imageWidth);
        }
    }

    /**
     * {@code template} with {@value #LABEL} replaced by {@code description}; "a" before it becomes
     * "an" when the description starts with a vowel.
     */
    static String fill(String template, String description) {
        boolean vowel = !description.isEmpty() && "aeiouAEIOU".indexOf(description.charAt(0)) >= 0;
        String text = template;
        if (vowel) {
            text = text.replaceAll("(^|\\s)a \\{label\\}", "$1an " + LABEL);
        }
        return text.replace(LABEL, description);
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
            int[] tokens = t.encode(fill(templates.get(0), classNames.get(k)));
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
        List<ImageAttribute.Rule> rules = new ArrayList<>();
        for (int i = 0; i < attributes.size(); i++) {
            rules.add(
                    attributes
                            .get(i)
                            .instantiateAt(
                                    ConfigPath.item(ConfigPath.child(where, "attributes"), i)));
        }
        double keep = attributeProbability;
        int height = imageHeight == null ? 0 : imageHeight;
        int width = imageWidth == null ? 0 : imageWidth;
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
                String template = forms.get((int) Math.floorMod(r, (long) forms.size()));
                String text = fill(template, describe(e, label, r));
                int[] tokens = t.encode(text);
                int[] ids = Arrays.copyOf(tokens, len);
                int[] mask = new int[len];
                Arrays.fill(mask, 0, Math.min(len, tokens.length), 1);
                return e.with(TEXT_IDS, ids).with(TEXT_MASK, mask);
            }

            /** The class name with the image's kept attribute words around it. */
            private String describe(Example e, int label, long r) {
                if (rules.isEmpty()) {
                    return names.get(label);
                }
                float[] image = e.floats(ImageFeatures.IMAGE);
                if (image.length != height * width) {
                    throw new IllegalArgumentException(
                            where
                                    + ": image has "
                                    + image.length
                                    + " values; the attributes measure one-channel "
                                    + height
                                    + "x"
                                    + width
                                    + " images");
                }
                StringBuilder before = new StringBuilder();
                StringBuilder after = new StringBuilder();
                long z = r;
                for (ImageAttribute.Rule rule : rules) {
                    z = splitMix(z + 1);
                    boolean kept = keep >= 1 || (z >>> 11) * 0x1.0p-53 < keep;
                    Optional<String> word = rule.word(image, height, width, label);
                    if (kept && word.isPresent()) {
                        (rule.afterNoun() ? after : before).append(word.get()).append(' ');
                    }
                }
                String tail = after.length() == 0 ? "" : " " + after.toString().trim();
                return before + names.get(label) + tail;
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

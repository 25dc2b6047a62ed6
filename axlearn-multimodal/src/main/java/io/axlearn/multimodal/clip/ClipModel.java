package io.axlearn.multimodal.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.config.ConfigPath;
import io.axlearn.core.config.Required;
import io.axlearn.core.init.FanAxes;
import io.axlearn.core.init.Initializer;
import io.axlearn.core.layers.Linear;
import io.axlearn.core.losses.CrossEntropy;
import io.axlearn.core.module.BaseModel;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamSpec;
import io.axlearn.core.ndarray.OwnedArrays;
import io.axlearn.text.bert.BertEncoder;
import io.axlearn.vision.classifier.ImageEncoder;
import io.axlearn.vision.input.ImageFeatures;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A CLIP-style image-text model (<a href="https://arxiv.org/abs/2103.00020">Radford et al.
 * 2021</a>; axlearn's multi-modal encoders): an image encoder (e.g. the ViT) and a text Transformer
 * encoder ({@link BertEncoder}, its outputs mean-pooled over the real tokens), each followed by a
 * linear projection without bias to a shared {@code embedDim} space and L2-normalised. The logits
 * of image {@code i} against caption {@code j} are {@code s * <img_i, txt_j>}, where the scale
 * {@code s = exp(t)} is learned as {@code t = log_logit_scale} (initially {@code log(1 / 0.07)})
 * and clamped to at most {@code maxLogitScale} (100) as in CLIP. The loss is the symmetric
 * contrastive (InfoNCE) loss: the mean of the cross-entropy of each image over the batch's captions
 * and of each caption over the batch's images, the matching pair being the target.
 *
 * <p>Batch features: {@link ImageFeatures#IMAGE} {@code [N, C * H * W]} floats, {@link
 * CaptionProcessor#TEXT_IDS} and {@link CaptionProcessor#TEXT_MASK} {@code [N, L]} ints, {@code
 * weight} {@code [N]} (a padded example, weight 0, is neither a target nor a negative) and, for the
 * zero-shot metric, {@link ImageFeatures#LABEL} {@code [N, 1]}.
 *
 * <p>Metrics: {@code image_to_text_accuracy} and {@code text_to_image_accuracy} (the matching
 * caption/image has the highest logit in the batch), {@code logit_scale}; when {@code
 * zeroShotPrompts} are set, {@code zero_shot_accuracy}: each image whose label has a prompt is
 * classified as the class whose prompt's text embedding is closest (zero-shot classification by
 * prompting class names; images of other labels, e.g. a second dataset's, are left out, and a batch
 * with none has no such metric); with {@code recallAt}, the retrieval recalls of {@link #retrieval}
 * with the batch as the gallery.
 *
 * <p>Parameters: {@code image_encoder/...}, {@code text_encoder/...}, {@code
 * image_projection/weight [imageDim, embedDim]}, {@code text_projection/weight [textDim,
 * embedDim]}, {@code log_logit_scale []}.
 */
public final class ClipModel extends BaseModel {

    /** Config of {@link ClipModel}. */
    public static final class Config extends BaseModel.Config<Config, ClipModel> {
        /** The image tower; the model writes its {@code inputDim} (= {@code channels}). */
        @Required private ImageEncoder.Config<?, ?> imageEncoder;

        /** The text tower; its {@code vocabSize} must cover the caption tokenizer's ids. */
        @Required private BertEncoder.Config textEncoder;

        /** Width of the shared image-text space. */
        @Required private Integer embedDim;

        /** Image channels {@code C} of the flat image feature. */
        private int channels = 3;

        /** Image height {@code H} in pixels. */
        @Required private Integer height;

        /** Image width {@code W} in pixels. */
        @Required private Integer width;

        /** Initial temperature {@code 1 / s} of the logits (CLIP: 0.07). */
        private double initialTemperature = 0.07;

        /** Largest logit scale {@code s} (CLIP clamps at 100). */
        private double maxLogitScale = 100;

        /**
         * One caption per class, in label order, for the {@code zero_shot_accuracy} metric, made by
         * a {@link CaptionProcessor} (tokenised the same way as the training captions); empty: no
         * such metric.
         */
        private CaptionProcessor zeroShotPrompts = null;

        /**
         * The {@code k} of the retrieval metrics {@code image_to_text_recall_at_<k>} and {@code
         * text_to_image_recall_at_<k>} over the batch (see {@link #retrieval}), each with its
         * {@code _chance}; empty: no such metrics.
         */
        private List<Integer> recallAt = new ArrayList<>();

        /** Sets the image tower (copied). */
        public Config imageEncoder(ImageEncoder.Config<?, ?> v) {
            return set(() -> imageEncoder = v.copy());
        }

        /** Sets the text tower (copied). */
        public Config textEncoder(BertEncoder.Config v) {
            return set(() -> textEncoder = v.copy());
        }

        /** Sets the shared width. */
        public Config embedDim(int v) {
            return set(() -> embedDim = v);
        }

        /** Sets the image shape {@code C x H x W}. */
        public Config imageShape(int c, int h, int w) {
            return set(
                    () -> {
                        channels = c;
                        height = h;
                        width = w;
                    });
        }

        /** Sets the initial temperature. */
        public Config initialTemperature(double v) {
            return set(() -> initialTemperature = v);
        }

        /** Sets the largest logit scale. */
        public Config maxLogitScale(double v) {
            return set(() -> maxLogitScale = v);
        }

        /**
         * Sets the zero-shot prompts: {@code captions} with one template (copied; null for none).
         */
        public Config zeroShotPrompts(CaptionProcessor v) {
            return set(() -> zeroShotPrompts = v == null ? null : v.copy());
        }

        /** Sets the {@code k} of the retrieval metrics (copied; empty for none). */
        public Config recallAt(List<Integer> v) {
            List<Integer> c = new ArrayList<>(v);
            return set(() -> recallAt = c);
        }

        @Override
        protected void validate() {
            for (int k : recallAt) {
                if (k <= 0) {
                    throw invalid("recallAt", "every k must be positive, got " + recallAt);
                }
            }
            if (embedDim <= 0) {
                throw invalid("embedDim", "must be positive, got " + embedDim);
            }
            if (channels <= 0 || height <= 0 || width <= 0) {
                throw invalid(
                        "channels",
                        "image shape must be positive, got "
                                + channels
                                + "x"
                                + height
                                + "x"
                                + width);
            }
            if (!(initialTemperature > 0)) {
                throw invalid("initialTemperature", "must be positive, got " + initialTemperature);
            }
            if (!(maxLogitScale >= 1 / initialTemperature)) {
                throw invalid(
                        "maxLogitScale",
                        "must be at least 1 / initialTemperature = "
                                + 1 / initialTemperature
                                + ", got "
                                + maxLogitScale);
            }
            if (zeroShotPrompts != null && zeroShotPrompts.templates().size() != 1) {
                throw invalid(
                        "zeroShotPrompts",
                        "needs exactly one template, got " + zeroShotPrompts.templates());
            }
        }

        @Override
        protected ClipModel create() {
            return new ClipModel(this);
        }
    }

    /** A new config: set the two towers, the shared width and the image shape. */
    public static Config config() {
        return new Config();
    }

    private final Config cfg;
    private final ImageEncoder imageEncoder;
    private final BertEncoder textEncoder;
    private final Linear imageProjection;
    private final Linear textProjection;
    private final CrossEntropy loss = CrossEntropy.config().instantiate();
    private final CaptionProcessor.Captions zeroShot;

    private ClipModel(Config cfg) {
        super(cfg);
        this.cfg = cfg;
        imageEncoder = child("image_encoder", cfg.imageEncoder, c -> c.inputDim(cfg.channels));
        textEncoder = child("text_encoder", cfg.textEncoder, c -> {});
        imageProjection =
                child(
                        "image_projection",
                        Linear.config(),
                        c ->
                                c.inputDim(cfg.imageEncoder.outputDim())
                                        .outputDim(cfg.embedDim)
                                        .bias(false));
        textProjection =
                child(
                        "text_projection",
                        Linear.config(),
                        c -> c.inputDim(cfg.textEncoder.dim()).outputDim(cfg.embedDim).bias(false));
        zeroShot =
                cfg.zeroShotPrompts == null
                        ? null
                        : cfg.zeroShotPrompts.captions(
                                ConfigPath.child(cfg.path(), "zeroShotPrompts"));
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    @Override
    protected Map<String, ParamSpec> createParamSpecs() {
        return Map.of(
                "log_logit_scale",
                ParamSpec.weight(new Shape(), FanAxes.NONE)
                        .withInitializer(Initializer.constant(Math.log(1 / cfg.initialTemperature)))
                        .withWeightDecayScale(0));
    }

    /**
     * L2-normalised image embeddings.
     *
     * @param images {@code [N, C, H, W]} or flat {@code [N, C * H * W]}
     * @return {@code [N, embedDim]}
     */
    public NDArray imageEmbeddings(ForwardContext ctx, NDArray images) {
        NDArray x = images;
        if (x.getShape().dimension() == 2) {
            x = x.reshape(x.getShape().get(0), cfg.channels, cfg.height, cfg.width);
        }
        NDArray features = imageEncoder.encode(ctx.child(imageEncoder), x);
        return normalize(imageProjection.forward(ctx.child(imageProjection), features));
    }

    /**
     * L2-normalised text embeddings: the text encoder's outputs averaged over the real tokens,
     * projected; a caption without real tokens (a padding example) gets the zero vector.
     *
     * @param ids {@code [M, L]} token ids
     * @param mask {@code [M, L]}, 1 for real tokens and 0 for padding
     * @return {@code [M, embedDim]}
     */
    public NDArray textEmbeddings(ForwardContext ctx, NDArray ids, NDArray mask) {
        NDArray h = textEncoder.forward(ctx.child(textEncoder), ids, null, mask); // [M, L, D]
        NDArray m = mask.toType(DataType.FLOAT32, false).expandDims(-1); // [M, L, 1]
        // A padding example (no real token) pools to 0, not 0 / 0.
        NDArray count = m.sum(new int[] {1});
        NDArray pooled =
                h.mul(m).sum(new int[] {1}).div(count.maximum(OwnedArrays.scalar(count, 1)));
        return normalize(textProjection.forward(ctx.child(textProjection), pooled));
    }

    /** The logit scale {@code s = exp(min(log_logit_scale, log(maxLogitScale)))}, 0-d. */
    public NDArray logitScale(ForwardContext ctx) {
        NDArray t = ctx.param("log_logit_scale", new Shape());
        return t.minimum(OwnedArrays.scalar(t, (float) Math.log(cfg.maxLogitScale))).exp();
    }

    /** The contrastive loss of a batch and what it computed. */
    public record Contrast(
            NDArray loss, NDArray logits, NDArray imageToText, NDArray textToImage) {}

    /**
     * The symmetric contrastive loss of matching image and text embeddings.
     *
     * @param imageEmbeddings {@code [N, E]}, L2-normalised
     * @param textEmbeddings {@code [N, E]}, L2-normalised; row {@code i} is image {@code i}'s
     * @param scale the logit scale, 0-d
     * @param weight {@code [N]}; 0 leaves a pair out as target and as negative
     * @return the loss (the mean of the two directions' weighted mean cross-entropies), the logits
     *     {@code [N, N]} (images by captions, before masking) and each direction's accuracy
     */
    public Contrast contrast(
            NDArray imageEmbeddings, NDArray textEmbeddings, NDArray scale, NDArray weight) {
        NDArray logits = imageEmbeddings.matMul(textEmbeddings.transpose()).mul(scale);
        long n = logits.getShape().get(0);
        NDArray w = weight.toType(DataType.FLOAT32, false);
        // Padded pairs are no one's negative: push their column (row, for the other way) down.
        NDArray blocked =
                OwnedArrays.scalar(w, 1).sub(w).mul(OwnedArrays.scalar(w, -1e9f)).reshape(1, n);
        NDArray targets = logits.getManager().arange(0, (int) n, 1, DataType.INT64);
        CrossEntropy.Output i2t = loss.forward(logits.add(blocked), targets, w);
        CrossEntropy.Output t2i = loss.forward(logits.transpose().add(blocked), targets, w);
        NDArray total = i2t.loss().add(t2i.loss()).mul(OwnedArrays.scalar(logits, 0.5f));
        return new Contrast(total, logits, i2t.accuracy(), t2i.accuracy());
    }

    /**
     * Zero-shot class scores: each image's similarity to each class prompt, scaled.
     *
     * @param images {@code [N, C * H * W]}
     * @param promptIds {@code [K, L]} one prompt per class
     * @param promptMask {@code [K, L]}
     * @return {@code [N, K]}
     */
    public NDArray zeroShotLogits(
            ForwardContext ctx, NDArray images, NDArray promptIds, NDArray promptMask) {
        NDArray img = imageEmbeddings(ctx, images);
        NDArray txt = textEmbeddings(ctx, promptIds, promptMask);
        return img.matMul(txt.transpose()).mul(logitScale(ctx));
    }

    @Override
    public Output forward(ForwardContext ctx, Map<String, NDArray> batch) {
        NDArray ids =
                ids(batch, CaptionProcessor.TEXT_IDS, cfg.textEncoder.vocabSize(), "textEncoder");
        NDArray img = imageEmbeddings(ctx, batch.get(ImageFeatures.IMAGE));
        NDArray txt = textEmbeddings(ctx, ids, batch.get(CaptionProcessor.TEXT_MASK));
        NDArray scale = logitScale(ctx);
        NDArray weight = batch.get("weight");
        Contrast c = contrast(img, txt, scale, weight);
        Map<String, NDArray> metrics = new LinkedHashMap<>();
        metrics.put("image_to_text_accuracy", c.imageToText());
        metrics.put("text_to_image_accuracy", c.textToImage());
        metrics.put("logit_scale", scale);
        Map<String, NDArray> metricWeights = new LinkedHashMap<>();
        if (zeroShot != null && batch.containsKey(ImageFeatures.LABEL)) {
            NDArray labels = batch.get(ImageFeatures.LABEL);
            labels = labels.reshape(labels.getShape().get(0));
            long classes = zeroShot.shape().get(0);
            // Only images whose label has a prompt are classified (one host read per batch).
            NDArray prompted =
                    labels.lt(OwnedArrays.scalar(labels, classes))
                            .toType(DataType.FLOAT32, false)
                            .mul(weight.toType(DataType.FLOAT32, false));
            NDArray promptedWeight = prompted.sum();
            if (promptedWeight.getFloat() > 0) {
                NDArray promptIds =
                        OwnedArrays.copyOf(img.getManager(), zeroShot.ids(), zeroShot.shape());
                NDArray promptMask =
                        OwnedArrays.copyOf(img.getManager(), zeroShot.mask(), zeroShot.shape());
                NDArray prompts = textEmbeddings(ctx, promptIds, promptMask);
                NDArray classLogits = img.matMul(prompts.transpose()).mul(scale);
                NDArray targets =
                        labels.minimum(OwnedArrays.scalar(labels, classes - 1))
                                .toType(DataType.INT64, false);
                metrics.put(
                        "zero_shot_accuracy",
                        loss.forward(classLogits, targets, prompted).accuracy());
                metricWeights.put("zero_shot_accuracy", promptedWeight);
            }
        }
        if (!cfg.recallAt.isEmpty()) {
            metrics.putAll(
                    retrieval(
                            c.logits(),
                            ids,
                            batch.get(CaptionProcessor.TEXT_MASK),
                            weight,
                            cfg.recallAt));
        }
        return new Output(c.loss(), weight.sum(), metrics, metricWeights);
    }

    /**
     * Retrieval recall@k in both directions over a gallery of image-caption pairs, where captions
     * repeat (many images share "a small dark sandal"), so that a hit is defined by caption text,
     * not by the pair's index:
     *
     * <ul>
     *   <li>{@code image_to_text_recall_at_<k>}: each image queries the gallery's distinct captions
     *       (a caption that several pairs share is one candidate); a hit is a caption among its
     *       {@code k} most similar whose text equals the image's own caption.
     *   <li>{@code text_to_image_recall_at_<k>}: each pair's caption queries the gallery's images;
     *       a hit is an image among its {@code k} most similar whose own caption equals the query.
     * </ul>
     *
     * Each is the weighted fraction of queries with a hit. A candidate ranks ahead of the best true
     * one only when strictly more similar (ties go to the query). {@code <name>_chance} is the same
     * recall for a random ranking: {@code min(k, U) / U} image-to-text with {@code U} distinct
     * captions, and {@code 1 - C(M - c, k) / C(M, k)} text-to-image, averaged over the queries,
     * where {@code M} is the gallery's size and {@code c} the number of its images with the query's
     * caption.
     *
     * @param similarity {@code [N, N]}: image {@code i} against caption {@code j} (any monotone
     *     score, e.g. the logits)
     * @param ids {@code [N, L]} caption token ids; two captions are equal when their ids and masks
     *     are
     * @param mask {@code [N, L]} caption masks
     * @param weight {@code [N]}; a pair of weight 0 is neither a query nor a candidate
     * @param ks the {@code k} of the recalls
     * @return the recalls and chances by name, 0-d
     */
    public static Map<String, NDArray> retrieval(
            NDArray similarity, NDArray ids, NDArray mask, NDArray weight, List<Integer> ks) {
        NDArray s = similarity.stopGradient();
        long n = s.getShape().get(0);
        NDArray w = weight.toType(DataType.FLOAT32, false);
        // Captions as keys (pad 0, token t -> t + 1); equal keys have squared distance exactly 0
        // (integers in float64, exact far beyond any vocabulary).
        NDArray key =
                ids.toType(DataType.FLOAT64, false)
                        .add(OwnedArrays.scalar(ids.toType(DataType.FLOAT64, false), 1))
                        .mul(mask.toType(DataType.FLOAT64, false));
        NDArray norms = key.square().sum(new int[] {1});
        NDArray distances =
                norms.reshape(n, 1)
                        .add(norms.reshape(1, n))
                        .sub(key.matMul(key.transpose()).mul(OwnedArrays.scalar(key, 2)));
        NDArray same =
                distances.eq(OwnedArrays.scalar(key, 0)).toType(DataType.FLOAT32, false); // [N, N]
        NDArray one = OwnedArrays.scalar(w, 1);
        NDArray other = one.sub(same);
        NDArray index = s.getManager().arange(0, (int) n, 1, DataType.FLOAT32);
        NDArray earlier =
                index.reshape(n, 1).lt(index.reshape(1, n)).toType(DataType.FLOAT32, false);
        // A real caption is a distinct candidate if no earlier real pair has the same text.
        NDArray repeated =
                same.mul(earlier)
                        .mul(w.reshape(n, 1))
                        .sum(new int[] {0})
                        .gt(OwnedArrays.scalar(w, 0));
        NDArray distinct = w.mul(one.sub(repeated.toType(DataType.FLOAT32, false)));
        NDArray queries = w.sum();
        Map<String, NDArray> out = new LinkedHashMap<>();
        // image -> text: rows are images, candidates the distinct captions.
        NDArray i2tAhead = ahead(s, same, w, other.mul(distinct.reshape(1, n)));
        // text -> image: rows are captions, candidates the real images.
        NDArray t2iAhead = ahead(s.transpose(), same, w, other.mul(w.reshape(1, n)));
        NDArray unique = distinct.sum();
        NDArray matches = same.mul(w.reshape(1, n)).sum(new int[] {1}); // [N] images per caption
        for (int k : ks) {
            NDArray kk = OwnedArrays.scalar(w, k);
            out.put(
                    "image_to_text_recall_at_" + k,
                    i2tAhead.lt(kk).toType(DataType.FLOAT32, false).mul(w).sum().div(queries));
            out.put("image_to_text_recall_at_" + k + "_chance", kk.minimum(unique).div(unique));
            out.put(
                    "text_to_image_recall_at_" + k,
                    t2iAhead.lt(kk).toType(DataType.FLOAT32, false).mul(w).sum().div(queries));
            NDArray miss = one;
            for (int t = 0; t < k; t++) {
                NDArray tt = OwnedArrays.scalar(w, t);
                NDArray left = queries.sub(matches).sub(tt).maximum(OwnedArrays.scalar(w, 0));
                miss = miss.mul(left.div(queries.sub(tt).maximum(one)));
            }
            out.put(
                    "text_to_image_recall_at_" + k + "_chance",
                    one.sub(miss).mul(w).sum().div(queries));
        }
        return out;
    }

    /**
     * For each query row of {@code scores}, how many candidates (weight 1 in {@code candidates})
     * score strictly above the best true match (a column {@code same} marks and {@code w} keeps).
     */
    private static NDArray ahead(NDArray scores, NDArray same, NDArray w, NDArray candidates) {
        long n = scores.getShape().get(0);
        NDArray truth = same.mul(w.reshape(1, n));
        NDArray masked =
                scores.add(OwnedArrays.scalar(w, 1).sub(truth).mul(OwnedArrays.scalar(w, -1e9f)));
        NDArray best = masked.max(new int[] {1}, true);
        return scores.gt(best).toType(DataType.FLOAT32, false).mul(candidates).sum(new int[] {1});
    }

    private static NDArray normalize(NDArray x) {
        NDArray norm = x.square().sum(new int[] {-1}, true).sqrt();
        return x.div(norm.maximum(OwnedArrays.scalar(norm, 1e-12f)));
    }
}

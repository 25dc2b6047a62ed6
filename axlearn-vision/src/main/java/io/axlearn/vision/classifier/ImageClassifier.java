package io.axlearn.vision.classifier;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.config.ConfigPath;
import io.axlearn.core.config.Required;
import io.axlearn.core.layers.Linear;
import io.axlearn.core.losses.CrossEntropy;
import io.axlearn.core.module.BaseModel;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.ndarray.OwnedArrays;
import io.axlearn.vision.input.ImageFeatures;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An image classifier: an {@link ImageEncoder} backbone (ResNet, ViT or a user's), a linear head to
 * {@code numClasses} logits and the core {@link CrossEntropy} loss (with label smoothing when set).
 * axlearn's {@code vision.image_classification.ImageClassificationModel}.
 *
 * <p>Batch features: {@link ImageFeatures#IMAGE} {@code [N, channels * height * width]} floats in
 * CHW order (what the vision sources and processors produce), {@link ImageFeatures#LABEL} {@code
 * [N, 1]} integer classes in {@code [0, numClasses)} and the per-example {@code weight} {@code [N]}
 * (0 for the padding of a last evaluation batch).
 *
 * <p>Metrics (weighted means over the images): {@code accuracy} (top-1) and {@code top5_accuracy}
 * (the target is among the 5 highest logits; only when {@code numClasses > 5}).
 */
public final class ImageClassifier extends BaseModel {

    /** Config of {@link ImageClassifier}. */
    public static final class Config extends BaseModel.Config<Config, ImageClassifier> {
        /** The backbone; the classifier writes its {@code inputDim} (= {@code channels}). */
        @Required private ImageEncoder.Config<?, ?> encoder;

        /** Number of classes. */
        @Required private Integer numClasses;

        /** Image channels {@code C} of the flat image feature. */
        private int channels = 3;

        /** Image height {@code H} in pixels. */
        @Required private Integer height;

        /** Image width {@code W} in pixels. */
        @Required private Integer width;

        /** The head; the classifier writes {@code inputDim} and {@code outputDim}. */
        private Linear.Config head = Linear.config();

        /** The loss over the classes (cross-entropy in nats per image; label smoothing here). */
        private CrossEntropy.Config loss = CrossEntropy.config();

        /** Sets the backbone (copied). */
        public Config encoder(ImageEncoder.Config<?, ?> v) {
            return set(() -> encoder = v.copy());
        }

        /** Sets the number of classes. */
        public Config numClasses(int v) {
            return set(() -> numClasses = v);
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

        /** Sets the head (copied). */
        public Config head(Linear.Config v) {
            return set(() -> head = v.copy());
        }

        /** Sets the loss (copied). */
        public Config loss(CrossEntropy.Config v) {
            return set(() -> loss = v.copy());
        }

        /** The number of classes. */
        public Integer numClasses() {
            return numClasses;
        }

        /** Image channels {@code C}. */
        public int channels() {
            return channels;
        }

        /** Image height {@code H} in pixels. */
        public int height() {
            return height;
        }

        /** Image width {@code W} in pixels. */
        public int width() {
            return width;
        }

        @Override
        protected void validate() {
            if (numClasses < 2) {
                throw invalid("numClasses", "must be at least 2, got " + numClasses);
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
        }

        @Override
        protected ImageClassifier create() {
            return new ImageClassifier(this);
        }
    }

    /** A new config: set the encoder, the classes and the image shape. */
    public static Config config() {
        return new Config();
    }

    private final Config cfg;
    private final ImageEncoder encoder;
    private final Linear head;
    private final CrossEntropy loss;

    private ImageClassifier(Config cfg) {
        super(cfg);
        this.cfg = cfg;
        encoder = child("encoder", cfg.encoder, c -> c.inputDim(cfg.channels));
        head =
                child(
                        "head",
                        cfg.head,
                        c -> c.inputDim(cfg.encoder.outputDim()).outputDim(cfg.numClasses));
        loss = cfg.loss.instantiateAt(ConfigPath.child(cfg.path(), "loss"));
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    /**
     * The class scores of a batch of images.
     *
     * @param ctx the model's context
     * @param images {@code [N, channels, height, width]} or flat {@code [N, channels * height *
     *     width]}
     * @return logits {@code [N, numClasses]}
     */
    public NDArray logits(ForwardContext ctx, NDArray images) {
        NDArray x = images;
        if (x.getShape().dimension() == 2) {
            long expected = (long) cfg.channels * cfg.height * cfg.width;
            if (x.getShape().get(1) != expected) {
                throw new ConfigException(
                        ConfigPath.child(cfg.path(), "channels")
                                + ": the image feature has "
                                + x.getShape().get(1)
                                + " values per image, but the model expects "
                                + cfg.channels
                                + "x"
                                + cfg.height
                                + "x"
                                + cfg.width
                                + " = "
                                + expected
                                + "; set model.imageShape to the input's shape");
            }
            x = x.reshape(x.getShape().get(0), cfg.channels, cfg.height, cfg.width);
        }
        return head.forward(ctx.child(head), encoder.encode(ctx.child(encoder), x));
    }

    @Override
    public Output forward(ForwardContext ctx, Map<String, NDArray> batch) {
        NDArray labels = ids(batch, ImageFeatures.LABEL, cfg.numClasses, "numClasses");
        NDArray targets = labels.reshape(labels.getShape().get(0));
        NDArray logits = logits(ctx, batch.get(ImageFeatures.IMAGE));
        NDArray weight = batch.get("weight");
        CrossEntropy.Output out = loss.forward(logits, targets, weight);
        Map<String, NDArray> metrics = new LinkedHashMap<>(out.metrics(loss.hasZLoss()));
        if (cfg.numClasses > 5) {
            metrics.put("top5_accuracy", topKAccuracy(logits, targets, weight, 5));
        }
        return new Output(out.loss(), out.totalWeight(), metrics);
    }

    /**
     * The weighted fraction of images whose target is among the {@code k} highest logits: the
     * target's rank is the number of classes scoring strictly higher (ties count for the target).
     */
    static NDArray topKAccuracy(NDArray logits, NDArray targets, NDArray weight, int k) {
        NDArray index = targets.toType(DataType.INT64, false).expandDims(-1);
        NDArray targetLogit = logits.gather(index, -1); // [N, 1]
        NDArray rank = logits.gt(targetLogit).toType(DataType.FLOAT32, false).sum(new int[] {-1});
        NDArray hit = rank.lt(OwnedArrays.scalar(rank, (float) k)).toType(DataType.FLOAT32, false);
        NDArray w = weight.toType(DataType.FLOAT32, false);
        NDArray total = w.sum();
        NDArray denominator = total.add(total.eq(0).toType(DataType.FLOAT32, false));
        return hit.mul(w).sum().div(denominator);
    }
}

package io.axlearn.vision.classifier;

import ai.djl.ndarray.NDArray;
import io.axlearn.core.module.BaseLayer;
import io.axlearn.core.module.ForwardContext;

/**
 * A backbone that turns images into one vector each: the slot of {@link ImageClassifier} (and of
 * any model that needs image embeddings). {@link io.axlearn.vision.resnet.ResNet} pools its last
 * feature map; {@link io.axlearn.vision.vit.VisionTransformer} takes its class token or the mean of
 * its patch tokens.
 *
 * <p>Shapes: {@link #encode} reads {@code [N, inputDim, H, W]} and returns {@code [N, outputDim]}.
 */
public abstract class ImageEncoder extends BaseLayer {

    /**
     * Config of every image encoder.
     *
     * @param <S> the concrete config type
     * @param <T> the encoder type
     */
    public abstract static class Config<S extends Config<S, T>, T extends ImageEncoder>
            extends BaseLayer.Config<S, T> {
        /** Input channels (3 for RGB, 1 for grey); a classifier sets it from its image shape. */
        private int inputDim = 3;

        /** Sets the input channels. */
        public S inputDim(int v) {
            return set(() -> inputDim = v);
        }

        /** Input channels. */
        public int inputDim() {
            return inputDim;
        }

        /** Size of each image's vector, {@code D} of {@link ImageEncoder#encode}'s output. */
        public abstract int outputDim();

        @Override
        protected void validate() {
            if (inputDim <= 0) {
                throw invalid("inputDim", "must be positive, got " + inputDim);
            }
        }
    }

    protected ImageEncoder(Config<?, ?> config) {
        super(config);
    }

    /**
     * One vector per image.
     *
     * @param ctx this encoder's context
     * @param images {@code [N, inputDim, H, W]}
     * @return {@code [N, outputDim]}
     */
    public abstract NDArray encode(ForwardContext ctx, NDArray images);
}

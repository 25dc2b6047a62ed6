package io.axlearn.vision.input;

/**
 * Feature names and layout shared by the image sources and processors: {@code image} is a {@code
 * float[channels * height * width]} in channel-major (CHW) order, the layout {@code Conv2d} reads;
 * {@code label} is an {@code int[1]} class index.
 */
public final class ImageFeatures {
    /** Name of the image feature, {@code float[C*H*W]}, CHW order. */
    public static final String IMAGE = "image";

    /** Name of the label feature, {@code int[1]}. */
    public static final String LABEL = "label";

    private ImageFeatures() {}
}

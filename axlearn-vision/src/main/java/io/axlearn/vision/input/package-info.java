/**
 * Image inputs: {@link io.axlearn.vision.input.IdxImageSource} (MNIST / Fashion-MNIST IDX files),
 * {@link io.axlearn.vision.input.ImageFolderSource} (a folder of class sub-folders) and the
 * augmentation and normalisation processors of {@link io.axlearn.vision.input.ImageProcessors}.
 */
package io.axlearn.vision.input;

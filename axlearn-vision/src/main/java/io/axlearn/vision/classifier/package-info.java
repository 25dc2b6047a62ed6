/**
 * Image classification: the {@link io.axlearn.vision.classifier.ImageEncoder} slot and the {@link
 * io.axlearn.vision.classifier.ImageClassifier} model.
 */
package io.axlearn.vision.classifier;

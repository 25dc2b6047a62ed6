/**
 * Vision: image inputs ({@link io.axlearn.vision.input}); ResNet and ViT arrive with the vision
 * issue's later parts. {@link io.axlearn.vision.VisionConfigTypes} names the configs'
 * {@code @type}s.
 */
package io.axlearn.vision;

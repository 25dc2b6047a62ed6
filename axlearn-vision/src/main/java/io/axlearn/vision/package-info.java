/**
 * Vision: image inputs, ResNet and ViT. The module exists so that dependencies point one way (core,
 * then vision, then examples); its classes arrive with the vision issues.
 */
package io.axlearn.vision;

/** The Vision Transformer encoder. */
package io.axlearn.vision.vit;

/**
 * CLIP: contrastive image-text pre-training and zero-shot classification by prompting class names.
 */
package io.axlearn.multimodal.clip;

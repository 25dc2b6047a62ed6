/** Image-text models: CLIP ({@link io.axlearn.multimodal.clip.ClipModel}). */
package io.axlearn.multimodal;

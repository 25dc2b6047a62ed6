/** Tensor files: safetensors reading and writing. */
package io.axlearn.core.io;

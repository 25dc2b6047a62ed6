/** The PyTorch engine set up for offline use, and NDArray helpers. */
package io.axlearn.core.ndarray;

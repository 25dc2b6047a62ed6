/**
 * Text inputs: corpora read as bytes and cut into language-modelling examples ({@link
 * io.axlearn.text.input.ByteTextSource}), tokenised into encoder windows ({@link
 * io.axlearn.text.input.TokenWindowSource}) and corrupted for masked-LM training ({@link
 * io.axlearn.text.input.MlmMasking}), and labelled texts from JSON-lines, CSV or TSV files for
 * sequence classification ({@link io.axlearn.text.input.SequenceClassificationSource}, with the
 * SpamAssassin corpus converted by {@link io.axlearn.text.input.SpamAssassin}).
 */
package io.axlearn.text.input;

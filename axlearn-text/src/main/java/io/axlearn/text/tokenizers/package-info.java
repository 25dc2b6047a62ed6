/** Tokenizers: text to ids and back, each built from its config ({@link Tokenizer.Config}). */
package io.axlearn.text.tokenizers;

/**
 * Tokenizers: text to ids and back, each built from its config ({@link
 * io.axlearn.text.tokenizers.Tokenizer.Config}): raw bytes ({@link
 * io.axlearn.text.tokenizers.ByteTokenizer}), BERT's WordPiece ({@link
 * io.axlearn.text.tokenizers.WordPieceTokenizer}), GPT-2's byte-level BPE ({@link
 * io.axlearn.text.tokenizers.Gpt2BpeTokenizer}) and any Hugging Face {@code tokenizer.json} ({@link
 * io.axlearn.text.tokenizers.HfTokenizer}). Batches come out as {@link
 * io.axlearn.text.tokenizers.TokenBatch} (ids and attention mask, shaped by {@link
 * io.axlearn.text.tokenizers.BatchOptions}). The GPT-2 and BERT base uncased vocabularies are
 * bundled as resources under {@code io/axlearn/text/tokenizers/}. All tokenizers are safe to use
 * from several threads.
 */
package io.axlearn.text.tokenizers;

/**
 * Text: tokenizers, text inputs, causal language models and BERT. The module exists so that
 * dependencies point one way (core, then text, then examples); its classes arrive with the text
 * issues.
 */
package io.axlearn.text;

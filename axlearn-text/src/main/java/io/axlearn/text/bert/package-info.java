/**
 * BERT (<a href="https://arxiv.org/abs/1810.04805">Devlin et al. 2019</a>): the bidirectional
 * encoder ({@link io.axlearn.text.bert.BertEncoder}), its heads (masked-LM, pooler, sequence
 * classification) and the trainable models {@link io.axlearn.text.bert.BertMlm} and {@link
 * io.axlearn.text.bert.BertClassifier}. Parameter layouts follow Hugging Face's {@code BertModel}
 * one to one; each class documents its name map.
 */
package io.axlearn.text.bert;

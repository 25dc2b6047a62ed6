/** Text inputs: corpora read as bytes and cut into language-modelling examples. */
package io.axlearn.text.input;

/** DJL model directories holding our models, for serving through DJL's {@code Predictor}. */
package io.axlearn.core.serving;

/**
 * Serving image classifiers through DJL's {@code Predictor}: {@link
 * io.axlearn.vision.serving.DjlExport}.
 */
package io.axlearn.vision.serving;

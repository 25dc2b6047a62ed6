/**
 * Serving text models through DJL's {@code Predictor}: {@link
 * io.axlearn.text.serving.TextDjlExport}.
 */
package io.axlearn.text.serving;

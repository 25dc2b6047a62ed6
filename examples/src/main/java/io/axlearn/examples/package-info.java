/**
 * Named experiments (configs only) and the data preparation they need; this module also builds the
 * runnable {@code axlearn.jar} behind {@code ./axlearn}.
 */
package io.axlearn.examples;

/**
 * The module tree: immutable modules built from frozen configs, with named children whose dims the
 * parent owns.
 */
package io.axlearn.core.module;

/**
 * The config system: every component is built from a {@link io.axlearn.core.config.ConfigBase
 * config} that is mutable while composed and frozen on {@code instantiate()}; configs take dotted
 * overrides, print as sorted flat dumps and round-trip through JSON/YAML with registered {@code
 * @type} names.
 *
 * <p>See {@code docs/config.md} for a guided tour.
 */
package io.axlearn.core.config;

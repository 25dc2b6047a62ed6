package io.axlearn.core.config;

import java.util.Map;

/**
 * Registers the short {@code @type} names of one module's config classes, found with {@link
 * java.util.ServiceLoader} (list the implementation in {@code
 * META-INF/services/io.axlearn.core.config.ConfigTypeProvider}).
 *
 * <p>JSON and YAML name config classes only through these names ({@code "core/Linear"}), never
 * through Java class names taken from input, so a config file cannot make the program load an
 * arbitrary class. Names are conventionally {@code <module>/<ClassName>}.
 */
public interface ConfigTypeProvider {

    /** Short type name to config class, for every config class this module lets files name. */
    Map<String, Class<? extends ConfigBase<?>>> configTypes();
}

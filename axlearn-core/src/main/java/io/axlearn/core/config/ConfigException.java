package io.axlearn.core.config;

/**
 * Bad configuration: an unknown path, a missing required field, a value of the wrong type, an
 * unknown {@code @type} name or an attempt to change a frozen config.
 *
 * <p>The message is complete on its own (it names the dotted path and what is wrong) so that the
 * command line can print it as one line without a stack trace.
 */
public class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception whose message names the path and the problem. */
    public ConfigException(String message) {
        super(message);
    }

    /** Creates an exception whose message names the path and the problem, keeping its cause. */
    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Returns a copy of this exception with {@code context} (a file, a flag) put in front. */
    public ConfigException withContext(String context) {
        ConfigException e = new ConfigException(context + ": " + getMessage(), this);
        return e;
    }
}

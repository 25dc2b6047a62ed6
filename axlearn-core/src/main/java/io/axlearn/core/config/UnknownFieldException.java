package io.axlearn.core.config;

import java.util.List;

/** A dotted path names a field, list index or map key that does not exist. */
public final class UnknownFieldException extends ConfigException {
    private static final long serialVersionUID = 1L;

    private final String path;
    private final List<String> suggestions;

    UnknownFieldException(String path, String what, List<String> suggestions) {
        super(
                "unknown "
                        + what
                        + " "
                        + path
                        + (suggestions.isEmpty()
                                ? ""
                                : "; did you mean " + String.join(" or ", suggestions) + "?"));
        this.path = path;
        this.suggestions = List.copyOf(suggestions);
    }

    /** The full dotted path that was not found. */
    public String path() {
        return path;
    }

    /** The nearest existing names, best first; empty when nothing is close. */
    public List<String> suggestions() {
        return suggestions;
    }
}

package dev.kubeteardown;

import java.util.List;

/** No served resource type matches a name, even after discovery was fetched again; the message lists close matches. */
public class UnknownResourceTypeException extends KubeTeardownException {

    private static final long serialVersionUID = 1L;

    private final String input;
    private final List<String> suggestions;

    public UnknownResourceTypeException(String input, List<String> suggestions, String message) {
        super(message);
        this.input = input;
        this.suggestions = List.copyOf(suggestions);
    }

    /** The name as given. */
    public String input() {
        return input;
    }

    /** Served types with a close name, as {@code plural.group}, closest first; empty when nothing is close. */
    public List<String> suggestions() {
        return suggestions;
    }
}

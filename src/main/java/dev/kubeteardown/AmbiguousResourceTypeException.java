package dev.kubeteardown;

import java.util.List;

/** A name matches resource types of several groups, and none of kubectl's priority rules picks one. */
public class AmbiguousResourceTypeException extends KubeTeardownException {

    private static final long serialVersionUID = 1L;

    private final String input;
    private final transient List<ServedType> candidates;

    public AmbiguousResourceTypeException(String input, List<ServedType> candidates, String message) {
        super(message);
        this.input = input;
        this.candidates = List.copyOf(candidates);
    }

    /** The name as given. */
    public String input() {
        return input;
    }

    /** Every type the name matches, in the server's discovery order. */
    public List<ServedType> candidates() {
        return candidates;
    }
}

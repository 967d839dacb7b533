package dev.kubeteardown.cli;

import picocli.CommandLine.Option;

/** The {@code -o/--output} option, the same in every command. */
final class OutputOption {

    // the field's name is the help's parameter label: -o, --output=<output>
    @Option(
            names = {"-o", "--output"},
            defaultValue = "text",
            description = "text, json, or name (kind.group/name of each object deleted, as kubectl delete -o name;"
                    + " not for demo) (default: ${DEFAULT-VALUE}).")
    OutputFormat output;

    boolean isName() {
        return output == OutputFormat.name;
    }

    /** Whether results are printed for people (tables, progress) rather than as JSON or names. */
    boolean isText() {
        return output == OutputFormat.text;
    }
}

package dev.kubeteardown.cli;

import picocli.CommandLine.Option;

/** The {@code -o/--output} option, the same in every command. */
final class OutputOption {

    // the field's name is the help's parameter label: -o, --output=<output>
    @Option(
            names = {"-o", "--output"},
            defaultValue = "text",
            description = "text or json (default: ${DEFAULT-VALUE}).")
    OutputFormat output;

    /** Whether results are printed for people (tables, progress) rather than as JSON. */
    boolean isText() {
        return output == OutputFormat.text;
    }
}

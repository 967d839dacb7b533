package dev.kubeteardown.cli;

/** How results are printed. */
enum OutputFormat {
    /** Tables for people. */
    text,
    /** The report as JSON, for CI. */
    json
}

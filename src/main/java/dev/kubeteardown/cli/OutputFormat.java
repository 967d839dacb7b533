package dev.kubeteardown.cli;

/** How results are printed. */
enum OutputFormat {
    /** Tables for people. */
    text,
    /** The report as JSON, for CI. */
    json,
    /** As {@code kubectl delete -o name}: one {@code kind.group/name} line per object deleted (or, dry, to delete). */
    name
}

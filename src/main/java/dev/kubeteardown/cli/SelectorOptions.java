package dev.kubeteardown.cli;

import picocli.CommandLine.Option;

/** {@code -l/--selector} and {@code --field-selector}, as kubectl spells them, in every command that deletes. */
final class SelectorOptions {

    @Option(
            names = {"-l", "--selector"},
            description = "Label selector (as kubectl: app=x, env in (a,b), !keep): only matching objects are deleted.")
    String labels;

    @Option(
            names = "--field-selector",
            description = "Field selector (as kubectl: metadata.name=x, metadata.namespace!=y): only matching objects.")
    String fields;
}

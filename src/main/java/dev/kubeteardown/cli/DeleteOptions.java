package dev.kubeteardown.cli;

import dev.kubeteardown.DryRun;
import picocli.CommandLine.Option;

/** {@code --yes} and {@code --dry-run}, the same in every command that deletes. */
final class DeleteOptions {

    @Option(names = "--yes", description = "Really delete. Without it the command only reports WOULD_DELETE.")
    boolean yes;

    @Option(
            names = "--dry-run",
            arity = "0..1",
            fallbackValue = "client",
            paramLabel = "none|client|server",
            description = {
                "As kubectl: client (also --dry-run alone) lists only, server sends the deletes with dryRun=All,",
                "none deletes (needs --yes). Without --yes the default is client; client and server win over --yes."
            })
    DryRunMode mode;

    /** The engine's dry run these flags ask for; {@code --dry-run=none} without {@code --yes} is a usage error. */
    DryRun dryRun() {
        return DryRunMode.resolve(mode, yes);
    }
}

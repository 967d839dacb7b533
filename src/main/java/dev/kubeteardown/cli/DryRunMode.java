package dev.kubeteardown.cli;

import dev.kubeteardown.DryRun;

/**
 * The values of {@code --dry-run}, as kubectl spells them ({@code --dry-run} alone means {@code client}).
 * Destructive commands stay dry runs unless {@code --yes} is given: only {@code none} together with {@code --yes}
 * deletes, and {@code none} without {@code --yes} is a usage error rather than a silent dry run.
 */
enum DryRunMode {
    /** No dry run: delete (needs {@code --yes}). */
    none,
    /** List only and report WOULD_DELETE; no mutating request. */
    client,
    /** Send each delete with {@code dryRun=All}: admission and RBAC are checked, nothing is persisted. */
    server;

    /** The engine's dry run for {@code mode} ({@code null}: not given) and {@code --yes}. */
    static DryRun resolve(DryRunMode mode, boolean yes) {
        if (mode == null) {
            return yes ? DryRun.OFF : DryRun.CLIENT;
        }
        return switch (mode) {
            case client -> DryRun.CLIENT;
            case server -> DryRun.SERVER;
            case none -> {
                if (!yes) {
                    throw new IllegalArgumentException("--dry-run=none deletes for real: confirm with --yes");
                }
                yield DryRun.OFF;
            }
        };
    }

    /** The line a text run starts with, or {@code null} when it deletes. */
    static String banner(DryRun dryRun) {
        return switch (dryRun) {
            case OFF -> null;
            case CLIENT -> "Dry run: nothing will be deleted (add --yes to delete).";
            case SERVER -> "Server-side dry run: each delete is sent with dryRun=All; the server persists nothing.";
        };
    }
}

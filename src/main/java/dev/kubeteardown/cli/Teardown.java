package dev.kubeteardown.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.kubeteardown.CleanupListener;
import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.CleanupStep;
import dev.kubeteardown.Outcome;
import dev.kubeteardown.longhorn.BackupCleanup;
import dev.kubeteardown.longhorn.BackupstoreCleanup;
import dev.kubeteardown.longhorn.LonghornCleanupBuilder;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Runs the Longhorn teardown as the suite does - backup volumes, then backups - with progress, and prints the
 * reports as a table or JSON. Shared by {@code demo} and {@code longhorn}.
 */
final class Teardown {

    /** Rows of one kind shown in text output unless asked for all. */
    static final int EXAMPLES = 5;

    private final PrintWriter out;
    private final boolean tty;

    Teardown(PrintWriter out, boolean tty) {
        this.out = out;
        this.tty = tty;
    }

    /** Options both steps share, applied to each step's builder. */
    interface Options {
        <B extends LonghornCleanupBuilder<B>> B apply(B builder);
    }

    /** Runs both steps in Longhorn's order; each runs even if the first was not clean. */
    List<CleanupReport> longhorn(io.kubernetes.client.openapi.ApiClient client, Options options, boolean showProgress) {
        List<CleanupReport> reports = new ArrayList<>();
        reports.add(step(
                "backupvolumes",
                showProgress,
                listener -> options.apply(BackupstoreCleanup.builder(client))
                        .listener(listener)
                        .build()));
        reports.add(step(
                "backups",
                showProgress,
                listener -> options.apply(BackupCleanup.builder(client))
                        .listener(listener)
                        .build()));
        return reports;
    }

    private CleanupReport step(String label, boolean showProgress, Function<CleanupListener, CleanupStep> build) {
        ProgressDisplay progress = showProgress ? new ProgressDisplay(out, tty, label) : null;
        CleanupStep step = build.apply(progress == null ? CleanupListener.NONE : progress);
        try {
            return step.execute();
        } finally {
            if (progress != null) {
                progress.finish();
            }
        }
    }

    /** The per-step counts table, then examples of every outcome that is not a plain DELETED. */
    void printText(List<CleanupReport> reports, boolean all) {
        out.println();
        String format = "%-36s %8s %13s %6s %7s %8s %13s %8s%n";
        out.printf(
                Locale.ROOT,
                format,
                "STEP",
                "DELETED",
                "ALREADY_GONE",
                "STUCK",
                "FAILED",
                "SKIPPED",
                "WOULD_DELETE",
                "TIME");
        for (CleanupReport r : reports) {
            out.printf(
                    Locale.ROOT,
                    format,
                    r.resource(),
                    r.count(Outcome.Status.DELETED),
                    r.count(Outcome.Status.ALREADY_GONE),
                    r.count(Outcome.Status.STUCK),
                    r.count(Outcome.Status.FAILED),
                    r.count(Outcome.Status.SKIPPED),
                    r.count(Outcome.Status.WOULD_DELETE),
                    String.format(Locale.ROOT, "%.2f s", r.duration().toMillis() / 1000.0));
        }
        for (Outcome.Status status : List.of(
                Outcome.Status.ALREADY_GONE,
                Outcome.Status.STUCK,
                Outcome.Status.FAILED,
                Outcome.Status.SKIPPED,
                Outcome.Status.WOULD_DELETE)) {
            List<Outcome> rows =
                    reports.stream().flatMap(r -> r.outcomes(status).stream()).toList();
            if (rows.isEmpty()) {
                continue;
            }
            out.println();
            out.println(status + " (" + rows.size() + ")" + explain(status) + ":");
            rows.stream()
                    .limit(all ? Long.MAX_VALUE : EXAMPLES)
                    .forEach(o -> out.println("  " + label(o) + ": " + o.detail()));
            if (!all && rows.size() > EXAMPLES) {
                out.println("  ... and " + (rows.size() - EXAMPLES) + " more (--all shows every object)");
            }
        }
        out.flush();
    }

    private static String label(Outcome o) {
        return o.isScopeOutcome() ? o.resource() : o.resource() + " " + o.qualifiedName();
    }

    private static String explain(Outcome.Status status) {
        return switch (status) {
            case ALREADY_GONE ->
                ", removed by someone else (being deleted when listed, or a 404 on our delete)"
                        + " - the race, not an error";
            case STUCK -> ", still present at the deadline";
            case FAILED -> ", could not be deleted";
            case SKIPPED -> ", not attempted";
            case WOULD_DELETE -> ", dry run: nothing was deleted";
            default -> "";
        };
    }

    /** Every report as one JSON document: {@code {"clean": ..., "steps": [report, ...]}}. */
    void printJson(List<CleanupReport> reports, JsonObject extra) {
        JsonObject root = extra == null ? new JsonObject() : extra;
        root.addProperty("clean", reports.stream().allMatch(CleanupReport::isClean));
        JsonArray steps = new JsonArray();
        reports.forEach(r -> steps.add(r.toJsonObject()));
        root.add("steps", steps);
        out.println(new GsonBuilder()
                .setPrettyPrinting()
                .disableHtmlEscaping()
                .create()
                .toJson(root));
        out.flush();
    }

    static int exitCode(List<CleanupReport> reports) {
        return reports.stream().allMatch(CleanupReport::isClean) ? Main.CLEAN : Main.NOT_CLEAN;
    }
}

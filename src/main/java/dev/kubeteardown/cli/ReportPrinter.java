package dev.kubeteardown.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.kubeteardown.ApiDiscovery;
import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.Outcome;
import dev.kubeteardown.Outcome.Status;
import dev.kubeteardown.ServedType;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Prints step reports for people (a table with a column per {@link Status}, then examples of every status worth a
 * look) or as one JSON document. A new status gets its column by itself; {@link #remark} makes the compiler ask what
 * to say about it.
 */
final class ReportPrinter {

    /** Rows of one kind shown in text output unless asked for all. */
    static final int EXAMPLES = 5;

    private final PrintWriter out;

    ReportPrinter(PrintWriter out) {
        this.out = out;
    }

    /** The per-step counts table, then examples of every outcome that is not a plain DELETED. */
    void text(List<CleanupReport> reports, boolean all) {
        out.println();
        out.println(row("STEP", Status::name, "TIME"));
        for (CleanupReport r : reports) {
            out.println(row(
                    r.resource(),
                    status -> r.count(status),
                    String.format(Locale.ROOT, "%.2f s", r.duration().toMillis() / 1000.0)));
        }
        for (Status status : Status.values()) {
            Optional<String> remark = remark(status);
            List<Outcome> rows =
                    reports.stream().flatMap(r -> r.outcomes(status).stream()).toList();
            if (remark.isEmpty() || rows.isEmpty()) {
                continue;
            }
            out.println();
            out.println(status + " (" + rows.size() + ")" + remark.get() + ":");
            rows.stream()
                    .limit(all ? Long.MAX_VALUE : EXAMPLES)
                    .forEach(o -> out.println("  " + label(o) + ": " + o.detail()));
            if (!all && rows.size() > EXAMPLES) {
                out.println("  ... and " + (rows.size() - EXAMPLES) + " more (--all shows every object)");
            }
        }
        out.flush();
    }

    /** A table row: the step, then one right-aligned cell per status, as wide as its name, then the time. */
    private static String row(String step, Function<Status, Object> cell, String time) {
        StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-36s", step));
        for (Status status : Status.values()) {
            int width = status.name().length() + 1;
            row.append(String.format(Locale.ROOT, " %" + width + "s", cell.apply(status)));
        }
        return row.append(String.format(Locale.ROOT, " %8s", time)).toString();
    }

    /**
     * What follows the heading of a status's examples; empty for DELETED, the expected outcome, which gets none. A
     * status added later is shown with its heading alone until it gets words here: no CLI edit is needed for it.
     */
    static Optional<String> remark(Status status) {
        return switch (status) {
            case DELETED -> Optional.empty();
            case ALREADY_GONE ->
                Optional.of(", removed by someone else (being deleted when listed, or a 404 on our delete)"
                        + " - the race, not an error");
            case STUCK -> Optional.of(", still present at the deadline");
            case FAILED -> Optional.of(", could not be deleted");
            case SKIPPED -> Optional.of(", not attempted");
            case WOULD_DELETE -> Optional.of(", dry run: nothing was deleted");
            default -> Optional.of("");
        };
    }

    /**
     * The objects with {@code status}, one line per type ({@code backups.longhorn.io: ns/a, ns/b}), types and names
     * sorted; nothing when there are none.
     */
    void byType(List<CleanupReport> reports, Status status, String heading) {
        Map<String, List<String>> byType = new TreeMap<>();
        objects(reports, status)
                .forEach(o -> byType.computeIfAbsent(o.resource(), t -> new ArrayList<>())
                        .add(o.qualifiedName()));
        if (byType.isEmpty()) {
            return;
        }
        out.println();
        out.println(heading);
        byType.forEach((type, names) -> out.println(
                "  " + type + ": " + String.join(", ", names.stream().sorted().toList())));
        out.flush();
    }

    /**
     * As {@code kubectl delete -o name}: one {@code kind.group/name} line (the core group's as {@code kind/name}) per
     * object deleted, or, in a dry run, to be deleted, in the reports' order. {@code kindOf} gives the lower-case
     * {@code kind.group} of an outcome's {@code plural.group}. FAILED and STUCK objects are not names on stdout: the
     * summary of each step that is not clean goes to {@code err}, as kubectl's errors do.
     */
    void names(List<CleanupReport> reports, Function<String, String> kindOf, PrintWriter err) {
        Map<String, String> kinds = new HashMap<>();
        for (CleanupReport report : reports) {
            for (Outcome o : report.outcomes()) {
                if (!o.isScopeOutcome() && (o.status() == Status.DELETED || o.status() == Status.WOULD_DELETE)) {
                    out.println(kinds.computeIfAbsent(o.resource(), kindOf) + "/" + o.name());
                }
            }
            if (!report.isClean()) {
                err.println("error: " + report.summary());
            }
        }
        out.flush();
        err.flush();
    }

    /**
     * kubectl's name of a type in {@code -o name}: its lower-case kind and group ({@code backup.longhorn.io},
     * {@code configmap}), through discovery; the report's {@code plural.group} when discovery cannot say.
     */
    static Function<String, String> kubectlKinds(ApiDiscovery discovery) {
        return resource -> {
            try {
                ServedType type = discovery.resolve(resource);
                String kind = type.kind().toLowerCase(Locale.ROOT);
                return type.group().isEmpty() ? kind : kind + "." + type.group();
            } catch (RuntimeException e) {
                return resource;
            }
        };
    }

    /** The objects with {@code status}, one line each with its detail; nothing when there are none. */
    void details(List<CleanupReport> reports, Status status, String heading) {
        List<Outcome> rows =
                reports.stream().flatMap(r -> r.outcomes(status).stream()).toList();
        if (rows.isEmpty()) {
            return;
        }
        out.println();
        out.println(heading);
        rows.forEach(o -> out.println("  " + label(o) + ": " + o.detail()));
        out.flush();
    }

    private static List<Outcome> objects(List<CleanupReport> reports, Status status) {
        return reports.stream()
                .flatMap(r -> r.outcomes(status).stream())
                .filter(o -> !o.isScopeOutcome())
                .toList();
    }

    private static String label(Outcome o) {
        return o.isScopeOutcome() ? o.resource() : o.resource() + " " + o.qualifiedName();
    }

    /**
     * Every report as one JSON document: {@code {"clean": ..., "steps": [report, ...]}}, after the members of
     * {@code extra} (none when {@code null}).
     */
    void json(List<CleanupReport> reports, JsonObject extra) {
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
}

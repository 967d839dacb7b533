package dev.kubeteardown;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The result of a cleanup run: one {@link Outcome} per object in scope, in the order they were classified.
 *
 * <p>A report is immutable. It is {@linkplain #isClean() clean} when no object is {@code FAILED} or {@code STUCK};
 * {@code ALREADY_GONE} (the list/delete race) and {@code SKIPPED} are clean.
 */
public final class CleanupReport {

    private static final Gson GSON =
            new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    /** Sorts problems the way a reader scans them: by namespace, then name. */
    static final Comparator<Outcome> BY_NAMESPACE_AND_NAME = Comparator.comparing(
                    (Outcome o) -> o.namespace() == null ? "" : o.namespace())
            .thenComparing(Outcome::name);

    private final String resource;
    private final String scope;
    private final List<Outcome> outcomes;
    private final Duration duration;
    private final List<String> notes;
    private final List<CleanupReport> steps;
    private final Parallelism parallelism;

    /**
     * How many deletes a run kept in flight: fixed by {@link CleanupBuilder#parallelism(int)}, or adaptive (the
     * default), in which case the limit moved between {@code min} and {@code peak} and ended at {@code last}.
     *
     * @param adaptive  whether the limit adapted to the server's answers
     * @param initial   the limit the run started with
     * @param last      the limit when the run ended (what it converged to)
     * @param min       the lowest the limit went
     * @param peak      the highest the limit went
     * @param throttled answers that lowered an adaptive limit: 429, 5xx and I/O errors, retries included
     */
    public record Parallelism(boolean adaptive, int initial, int last, int min, int peak, long throttled) {

        /** e.g. {@code adaptive 8 -> 41 (min 8, peak 64, 0 throttled)} or {@code fixed 8}. */
        @Override
        public String toString() {
            return adaptive
                    ? "adaptive " + initial + " -> " + last + " (min " + min + ", peak " + peak + ", " + throttled
                            + " throttled)"
                    : "fixed " + initial;
        }
    }

    /**
     * @param resource what was cleaned, e.g. {@code backups.longhorn.io/v1beta2}
     * @param scope    where, e.g. {@code namespace longhorn-system, labels backup-volume=vol-1}
     * @param outcomes one per object in scope
     * @param duration wall time of the run
     */
    public CleanupReport(String resource, String scope, List<Outcome> outcomes, Duration duration) {
        this(resource, scope, outcomes, duration, List.of());
    }

    /**
     * @param notes facts about the scope that concern no single object, e.g. that its namespace does not exist
     */
    public CleanupReport(String resource, String scope, List<Outcome> outcomes, Duration duration, List<String> notes) {
        this(resource, scope, outcomes, duration, notes, List.of());
    }

    private CleanupReport(
            String resource,
            String scope,
            List<Outcome> outcomes,
            Duration duration,
            List<String> notes,
            List<CleanupReport> steps) {
        this(resource, scope, outcomes, duration, notes, steps, null);
    }

    private CleanupReport(
            String resource,
            String scope,
            List<Outcome> outcomes,
            Duration duration,
            List<String> notes,
            List<CleanupReport> steps,
            Parallelism parallelism) {
        this.parallelism = parallelism;
        this.resource = Objects.requireNonNull(resource, "resource");
        this.scope = Objects.requireNonNull(scope, "scope");
        this.outcomes = List.copyOf(outcomes);
        this.duration = Objects.requireNonNull(duration, "duration");
        this.notes = List.copyOf(notes);
        this.steps = List.copyOf(steps);
    }

    /**
     * The report of a run made of steps (a {@link CleanupPlan}): every outcome and note of every step, in step order,
     * with the step reports themselves kept as {@link #steps()}.
     *
     * @param name  what ran, e.g. {@code plan longhorn-full}
     * @param steps one report per step, in order
     * @param took  the wall time of the whole run
     */
    public static CleanupReport ofSteps(String name, List<CleanupReport> steps, Duration took) {
        List<Outcome> all = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (CleanupReport r : steps) {
            all.addAll(r.outcomes);
            notes.addAll(r.notes);
        }
        String scope = steps.size() + " step" + (steps.size() == 1 ? "" : "s");
        return new CleanupReport(name, scope, all, took, notes, steps);
    }

    /** Joins the reports of several steps (for example backup volumes, then backups) into one; durations add up. */
    public static CleanupReport combine(List<CleanupReport> reports) {
        return combine(reports, reports.stream().map(CleanupReport::duration).reduce(Duration.ZERO, Duration::plus));
    }

    /**
     * Joins the reports of several steps into one that took {@code took} (the wall time, for steps that overlapped
     * or had time between them): every outcome and note in step order, the resources and distinct scopes listed.
     */
    public static CleanupReport combine(List<CleanupReport> reports, Duration took) {
        List<Outcome> all = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (CleanupReport r : reports) {
            all.addAll(r.outcomes);
            notes.addAll(r.notes);
        }
        String resources = reports.stream().map(CleanupReport::resource).collect(Collectors.joining(", "));
        String scopes = reports.stream()
                .map(CleanupReport::scope)
                .filter(scope -> !scope.isEmpty())
                .distinct()
                .collect(Collectors.joining("; "));
        return new CleanupReport(resources, scopes, all, took, notes);
    }

    /** This report with how its run kept deletes in flight. */
    CleanupReport withParallelism(Parallelism parallelism) {
        return new CleanupReport(resource, scope, outcomes, duration, notes, steps, parallelism);
    }

    /**
     * How many deletes the run kept in flight; empty for a report made of several runs (see each of
     * {@link #steps()}) or built by hand.
     */
    public Optional<Parallelism> parallelism() {
        return Optional.ofNullable(parallelism);
    }

    /** What was cleaned, e.g. {@code backups.longhorn.io/v1beta2}. */
    public String resource() {
        return resource;
    }

    /** The scope of the run in words (namespace and selectors). */
    public String scope() {
        return scope;
    }

    /** Every outcome, one per object in scope. */
    public List<Outcome> outcomes() {
        return outcomes;
    }

    /** Wall time of the run, waits included. */
    public Duration duration() {
        return duration;
    }

    /** Facts about the scope that concern no single object (e.g. its namespace does not exist); usually empty. */
    public List<String> notes() {
        return notes;
    }

    /** The report of each step, in order, when this report is made of steps ({@link #ofSteps}); otherwise empty. */
    public List<CleanupReport> steps() {
        return steps;
    }

    /** How many outcomes have the given status. */
    public long count(Outcome.Status status) {
        return outcomes.stream().filter(o -> o.status() == status).count();
    }

    /** Counts for every status, zeros included, in declaration order. */
    public Map<Outcome.Status, Long> counts() {
        Map<Outcome.Status, Long> counts = new EnumMap<>(Outcome.Status.class);
        for (Outcome.Status s : Outcome.Status.values()) {
            counts.put(s, 0L);
        }
        outcomes.forEach(o -> counts.merge(o.status(), 1L, Long::sum));
        return Collections.unmodifiableMap(counts);
    }

    /** The outcomes with the given status. */
    public List<Outcome> outcomes(Outcome.Status status) {
        return outcomes.stream().filter(o -> o.status() == status).collect(Collectors.toUnmodifiableList());
    }

    /** {@code FAILED} and {@code STUCK} outcomes, sorted by namespace and name. */
    public List<Outcome> problems() {
        return outcomes.stream()
                .filter(o -> o.status().isProblem())
                .sorted(BY_NAMESPACE_AND_NAME)
                .collect(Collectors.toUnmodifiableList());
    }

    /** {@code true} when no object is {@code FAILED} or {@code STUCK}. */
    public boolean isClean() {
        return outcomes.stream().noneMatch(o -> o.status().isProblem());
    }

    /** Throws {@link CleanupFailedException} carrying this report unless it is clean. */
    public CleanupReport throwIfNotClean() {
        if (!isClean()) {
            throw new CleanupFailedException(this);
        }
        return this;
    }

    /**
     * One line for logs, e.g.
     * {@code backups.longhorn.io/v1beta2 in namespace longhorn-system: 12 objects, DELETED=9 ALREADY_GONE=3 in 0.84 s, clean}.
     */
    public String summary() {
        return resource + " in " + scope + ": " + tally()
                + (notes.isEmpty() ? "" : " (" + String.join("; ", notes) + ")");
    }

    /**
     * The counting part of {@link #summary()}: objects, the non-zero counts per status, the duration, clean or not,
     * e.g. {@code 12 objects, DELETED=9 ALREADY_GONE=3 in 0.84 s, clean}.
     */
    public String tally() {
        String counts = counts().entrySet().stream()
                .filter(e -> e.getValue() > 0)
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" "));
        long objects = outcomes.stream().filter(o -> !o.isScopeOutcome()).count();
        return String.format(
                Locale.ROOT,
                "%d object%s%s in %.2f s, %s",
                objects,
                objects == 1 ? "" : "s",
                counts.isEmpty() ? "" : ", " + counts,
                duration.toMillis() / 1000.0,
                isClean() ? "clean" : "NOT CLEAN");
    }

    /**
     * A multi-line table: the summary, then one row per outcome; for a report made of steps, each step's table in
     * order, numbered and indented under the summary.
     */
    public String table() {
        if (!steps.isEmpty()) {
            StringBuilder sb = new StringBuilder(summary()).append('\n');
            for (int i = 0; i < steps.size(); i++) {
                String stepTable = steps.get(i).table().stripTrailing();
                sb.append("  ")
                        .append(i + 1)
                        .append(". ")
                        .append(stepTable.replace("\n", "\n     "))
                        .append('\n');
            }
            return sb.toString();
        }
        int nameWidth = Math.max(
                4, outcomes.stream().mapToInt(o -> label(o).length()).max().orElse(4));
        StringBuilder sb = new StringBuilder(summary()).append('\n');
        String format = "  %-12s %-" + nameWidth + "s %8s  %s%n";
        sb.append(String.format(Locale.ROOT, format, "STATUS", "NAME", "ATTEMPTS", "DETAIL"));
        for (Outcome o : outcomes) {
            sb.append(String.format(Locale.ROOT, format, o.status(), label(o), o.attempts(), o.detail()));
        }
        return sb.toString();
    }

    private static String label(Outcome o) {
        return o.isScopeOutcome() ? "(" + o.resource() + ")" : o.qualifiedName();
    }

    /** The report as JSON (machine-readable; the CLI's {@code --output json}). */
    public String toJson() {
        return GSON.toJson(toJsonObject());
    }

    /** The report as a Gson tree, for callers that embed it in a larger document. */
    public JsonObject toJsonObject() {
        JsonObject root = headerJson();
        if (!steps.isEmpty()) {
            JsonArray stepArray = new JsonArray();
            steps.forEach(step -> stepArray.add(step.headerJson()));
            root.add("steps", stepArray);
        }
        JsonArray items = new JsonArray();
        for (Outcome o : outcomes) {
            items.add(outcomeJson(o));
        }
        root.add("outcomes", items);
        return root;
    }

    /** Everything but the outcomes: what ran, where, whether clean, how long, the counts and notes. */
    private JsonObject headerJson() {
        JsonObject root = new JsonObject();
        root.addProperty("resource", resource);
        root.addProperty("scope", scope);
        root.addProperty("clean", isClean());
        root.addProperty("durationMillis", duration.toMillis());
        JsonObject counts = new JsonObject();
        counts().forEach((k, v) -> counts.addProperty(k.name(), v));
        root.add("counts", counts);
        if (parallelism != null) {
            JsonObject p = new JsonObject();
            p.addProperty("mode", parallelism.adaptive() ? "adaptive" : "fixed");
            p.addProperty("initial", parallelism.initial());
            p.addProperty("final", parallelism.last());
            p.addProperty("min", parallelism.min());
            p.addProperty("peak", parallelism.peak());
            p.addProperty("throttled", parallelism.throttled());
            root.add("parallelism", p);
        }
        if (!notes.isEmpty()) {
            JsonArray noteArray = new JsonArray();
            notes.forEach(noteArray::add);
            root.add("notes", noteArray);
        }
        return root;
    }

    private static JsonObject outcomeJson(Outcome o) {
        JsonObject item = new JsonObject();
        item.addProperty("resource", o.resource());
        item.addProperty("namespace", o.namespace());
        item.addProperty("name", o.name());
        item.addProperty("uid", o.uid());
        item.addProperty("status", o.status().name());
        item.addProperty("detail", o.detail());
        item.addProperty("attempts", o.attempts());
        item.addProperty("durationMillis", o.duration().toMillis());
        if (o.httpStatus() != 0) {
            item.addProperty("httpStatus", o.httpStatus());
        }
        if (!o.finalizers().isEmpty()) {
            JsonArray finalizers = new JsonArray();
            o.finalizers().forEach(finalizers::add);
            item.add("finalizers", finalizers);
        }
        if (o.deletionTimestamp() != null) {
            item.addProperty("deletionTimestamp", o.deletionTimestamp());
        }
        return item;
    }

    @Override
    public String toString() {
        return summary();
    }
}

package dev.kubeteardown.junit;

import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What one phase did: each step's report or exception, in step order, and their combination. A step that threw is
 * a {@code FAILED} scope outcome in the combined report, so the report alone tells whether the phase is clean.
 */
final class TeardownResult {

    /** One step: its report, its exception, or both (an interrupted step has a partial report). */
    record StepResult(int number, String description, CleanupReport report, Throwable failure) {

        StepResult {
            if (report == null && failure == null) { // without either, the step would count as clean
                throw new IllegalArgumentException("step " + number + " has neither a report nor a failure");
            }
        }

        String line() {
            if (failure == null) {
                return number + ". " + report.summary();
            }
            return number + ". " + description + ": " + (report != null ? report.summary() + "; " : "") + "FAILED: "
                    + failure;
        }
    }

    private final Phase phase;
    private final List<StepResult> steps;
    private final CleanupReport combined;

    TeardownResult(Phase phase, List<StepResult> steps, Duration took) {
        this.phase = phase;
        this.steps = List.copyOf(steps);
        this.combined = combine(this.steps, took);
    }

    private static CleanupReport combine(List<StepResult> steps, Duration took) {
        List<Outcome> outcomes = new ArrayList<>();
        List<String> resources = new ArrayList<>();
        List<String> scopes = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (StepResult s : steps) {
            if (s.report() != null) {
                outcomes.addAll(s.report().outcomes());
                notes.addAll(s.report().notes());
                resources.add(s.report().resource());
                scopes.add(s.report().scope());
            } else {
                resources.add(s.description());
            }
            if (s.failure() != null && (s.report() == null || s.report().isClean())) {
                outcomes.add(new Outcome(
                        s.description(),
                        null,
                        "",
                        "",
                        Outcome.Status.FAILED,
                        "step " + s.number() + " did not complete: " + s.failure(),
                        0,
                        Duration.ZERO,
                        0,
                        List.of(),
                        null));
            }
        }
        String scope = scopes.stream().distinct().collect(Collectors.joining("; "));
        return new CleanupReport(
                String.join(", ", resources), scope.isEmpty() ? "(no step reported)" : scope, outcomes, took, notes);
    }

    CleanupReport report() {
        return combined;
    }

    List<StepResult> steps() {
        return steps;
    }

    boolean isClean() {
        return combined.isClean();
    }

    /** One line: steps, objects, counts per outcome, duration, clean or not. */
    String summary() {
        long objects =
                combined.outcomes().stream().filter(o -> !o.isScopeOutcome()).count();
        String counts = combined.counts().entrySet().stream()
                .filter(e -> e.getValue() > 0)
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" "));
        long failedSteps = steps.stream().filter(s -> s.failure() != null).count();
        return String.format(
                Locale.ROOT,
                "%s: %d step%s%s, %d object%s%s in %.2f s, %s",
                phase,
                steps.size(),
                steps.size() == 1 ? "" : "s",
                failedSteps == 0 ? "" : " (" + failedSteps + " threw)",
                objects,
                objects == 1 ? "" : "s",
                counts.isEmpty() ? "" : ", " + counts,
                combined.duration().toMillis() / 1000.0,
                isClean() ? "clean" : "NOT CLEAN");
    }

    /** One line per step, in order. */
    String details() {
        return steps.stream().map(StepResult::line).collect(Collectors.joining("\n"));
    }

    /** The exception for a phase that is not clean; {@code target} names the test or class. */
    KubeTeardownFailedException toException(String target) {
        long notClean = steps.stream()
                .filter(s -> s.failure() != null || !s.report().isClean())
                .count();
        int problems = combined.problems().size();
        String headline = "Cleanup " + phase + " " + target + " is not clean: " + problems + " problem"
                + (problems == 1 ? "" : "s") + " (FAILED or STUCK) in " + notClean + " of " + steps.size() + " step"
                + (steps.size() == 1 ? "" : "s");
        Set<Throwable> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        List<Throwable> failures = steps.stream()
                .map(StepResult::failure)
                .filter(f -> f != null && seen.add(f))
                .collect(Collectors.toList());
        return new KubeTeardownFailedException(combined, headline, failures);
    }
}

package dev.kubeteardown.junit;

import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
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

        /**
         * The step as a report: its own, plus a FAILED scope outcome when it threw and its report (if any) does not
         * already show a problem, so a step that threw never counts as clean.
         */
        CleanupReport asReport() {
            if (failure == null) {
                return report;
            }
            List<Outcome> outcomes = new ArrayList<>();
            if (report != null) {
                outcomes.addAll(report.outcomes());
            }
            if (report == null || report.isClean()) {
                outcomes.add(Outcome.forScope(
                        description,
                        null,
                        Outcome.Status.FAILED,
                        "step " + number + " did not complete: " + failure,
                        0));
            }
            return report == null
                    ? new CleanupReport(description, "", outcomes, Duration.ZERO)
                    : new CleanupReport(report.resource(), report.scope(), outcomes, report.duration(), report.notes());
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
        CleanupReport combined =
                CleanupReport.combine(steps.stream().map(StepResult::asReport).toList(), took);
        return combined.scope().isEmpty()
                ? new CleanupReport(
                        combined.resource(),
                        "(no step reported)",
                        combined.outcomes(),
                        combined.duration(),
                        combined.notes())
                : combined;
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
        long failedSteps = steps.stream().filter(s -> s.failure() != null).count();
        return String.format(
                Locale.ROOT,
                "%s: %d step%s%s, %s",
                phase,
                steps.size(),
                steps.size() == 1 ? "" : "s",
                failedSteps == 0 ? "" : " (" + failedSteps + " threw)",
                combined.tally());
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
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Throwable> failures = steps.stream()
                .map(StepResult::failure)
                .filter(f -> f != null && seen.add(f))
                .collect(Collectors.toList());
        return new KubeTeardownFailedException(combined, headline, failures);
    }
}

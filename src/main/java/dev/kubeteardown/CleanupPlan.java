package dev.kubeteardown;

import io.kubernetes.client.openapi.ApiClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A whole teardown: steps in order, groups of steps that run concurrently, barriers, one deadline. A plan is itself
 * a {@link CleanupStep}, so it works wherever a step does (the JUnit extension, {@link ShutdownTeardown}, the CLI).
 *
 * <pre>{@code
 * CleanupPlan.builder(client)
 *         .step(volumes).barrier()               // nothing after it runs unless it is clean
 *         .parallel(snapshots, recurringJobs)    // these two at once
 *         .step(BackupCleanup.builder(client).build())
 *         .timeout(Duration.ofMinutes(5))
 *         .build()
 *         .run();
 * }</pre>
 *
 * <p>{@link #execute()} returns one report holding every object of every step, in step order; the step reports,
 * each with its own duration, are its {@link CleanupReport#steps()}. A step that is not clean never stops the
 * others, unless it is a barrier: then every later step is {@code SKIPPED}, saying which barrier stopped it. A step
 * still running at the plan's deadline is stopped (its undecided objects are {@code FAILED}, its partial report
 * kept), and steps not started by then are {@code FAILED} scope outcomes. Instances are immutable and thread-safe;
 * each {@code execute()} is an independent run.
 */
public final class CleanupPlan implements CleanupStep {

    /** Deadline of a whole plan, all its steps included: {@value #DEFAULT_TIMEOUT_SECONDS} s. */
    public static final long DEFAULT_TIMEOUT_SECONDS = 600;
    /** How long a step stopped at the deadline or by an interrupt may take to hand back its partial report. */
    static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(CleanupPlan.class);
    private static final AtomicInteger PLANS = new AtomicInteger();

    /** Steps that start together; a barrier stage stops the plan unless every step in it is clean. */
    private record Stage(List<CleanupStep> steps, boolean barrier) {}

    private final String name;
    private final List<Stage> stages;
    private final Duration timeout;
    private final Duration verifyAfter;
    private final ApiClient client;
    private final Sleeper sleeper;
    private final Ticker ticker;

    private CleanupPlan(Builder b) {
        this.name = b.name;
        this.stages = List.copyOf(b.stages);
        this.timeout = b.timeout;
        this.verifyAfter = b.verifyAfter;
        this.client = b.client;
        this.sleeper = b.sleeper;
        this.ticker = b.ticker;
    }

    /** An empty plan to add steps to. */
    public static Builder builder(ApiClient client) {
        return new Builder(client);
    }

    /**
     * The plan written in a {@linkplain PlanFile plan file}, its types resolved on {@code client}'s server:
     * {@code CleanupPlan.fromFile(client, Path.of("teardown.yaml")).run()}.
     *
     * @throws PlanFileException listing every problem of the file (line and field), nothing deleted
     */
    public static CleanupPlan fromFile(ApiClient client, Path file) {
        return PlanFile.read(file).toPlan(client);
    }

    /**
     * Runs every stage in order and returns one report of all of them.
     *
     * @throws CleanupInterruptedException when the calling thread is interrupted; it carries the partial report
     */
    @Override
    public CleanupReport execute() {
        return executeWithin(timeout);
    }

    /** {@link #execute()} with the plan's deadline shortened to {@code budget} when that is shorter. */
    @Override
    public CleanupReport executeWithin(Duration budget) {
        Deadline deadline = Deadline.within(timeout, budget, ticker);
        List<CleanupReport> reports = new ArrayList<>();
        String stoppedBy = null;
        int number = 0;
        try {
            for (Stage stage : stages) {
                int first = number + 1;
                number += stage.steps().size();
                if (stoppedBy != null) {
                    notRun(stage, Outcome.Status.SKIPPED, stoppedBy, reports);
                } else if (deadline.isExpired()) {
                    notRun(
                            stage,
                            Outcome.Status.FAILED,
                            "not started: the plan's deadline (" + timeout + ") had passed",
                            reports);
                } else {
                    List<CleanupReport> stageReports = new StageRun(stage, first, deadline).await();
                    reports.addAll(stageReports);
                    if (stage.barrier() && !stageReports.stream().allMatch(CleanupReport::isClean)) {
                        stoppedBy = "not run: barrier " + label(stage, first) + " is not clean";
                        LOG.warn("{} of {}: later steps are skipped", stoppedBy.substring("not run: ".length()), name);
                    }
                }
            }
            if (verifyAfter != null) {
                reports.add(new RecreationCheck(client, cleanups(), sleeper, ticker).run(reports, verifyAfter));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            CleanupReport partial = CleanupReport.ofSteps(name, reports, deadline.elapsed());
            LOG.warn("{} (interrupted)", partial.summary());
            throw new CleanupInterruptedException(partial);
        }
        CleanupReport report = CleanupReport.ofSteps(name, reports, deadline.elapsed());
        LOG.info("{}", report.summary());
        return report;
    }

    @Override
    public String description() {
        return name;
    }

    /** Every cleanup of every step, in step order. */
    @Override
    public List<Cleanup> cleanups() {
        return stages.stream()
                .flatMap(s -> s.steps().stream())
                .flatMap(s -> s.cleanups().stream())
                .toList();
    }

    /** The steps in order, as they run ({@code "1. ...", "2-3. parallel: ..."}). */
    public List<String> stepDescriptions() {
        List<String> lines = new ArrayList<>();
        int number = 0;
        for (Stage stage : stages) {
            lines.add(label(stage, number + 1)
                    + ": "
                    + stage.steps().stream().map(CleanupStep::description).collect(Collectors.joining(" | "))
                    + (stage.barrier() ? " (barrier)" : ""));
            number += stage.steps().size();
        }
        return lines;
    }

    @Override
    public String toString() {
        return "CleanupPlan[" + name + ", " + String.join("; ", stepDescriptions()) + "]";
    }

    private static String label(Stage stage, int first) {
        int last = first + stage.steps().size() - 1;
        return stage.steps().size() == 1 ? "step " + first : "steps " + first + "-" + last;
    }

    private static void notRun(Stage stage, Outcome.Status status, String why, List<CleanupReport> reports) {
        stage.steps().forEach(step -> reports.add(stepOutcome(step, status, why)));
    }

    /** A report of one scope outcome for a step that produced no report of its own. */
    private static CleanupReport stepOutcome(CleanupStep step, Outcome.Status status, String detail) {
        String description = step.description();
        return new CleanupReport(
                description, "", List.of(Outcome.forScope(description, null, status, detail, 0)), Duration.ZERO);
    }

    /** The steps of one stage, each on its own thread, stopped at the plan's deadline or by an interrupt. */
    private final class StageRun {
        private final List<CleanupStep> steps;
        private final int first;
        private final Deadline deadline;
        private final List<CompletableFuture<CleanupReport>> results = new ArrayList<>();
        private final List<Future<?>> tasks = new ArrayList<>();
        private volatile String stopReason;

        StageRun(Stage stage, int first, Deadline deadline) {
            this.steps = stage.steps();
            this.first = first;
            this.deadline = deadline;
        }

        List<CleanupReport> await() throws InterruptedException {
            int plan = PLANS.incrementAndGet();
            AtomicInteger threads = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(steps.size(), r -> {
                Thread t = new Thread(r, "kube-teardown-plan-" + plan + "-" + threads.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            try {
                for (int i = 0; i < steps.size(); i++) {
                    CleanupStep step = steps.get(i);
                    int number = first + i;
                    CompletableFuture<CleanupReport> result = new CompletableFuture<>();
                    results.add(result);
                    tasks.add(pool.submit(() -> {
                        try {
                            result.complete(runStep(step, number));
                        } catch (Error e) {
                            result.completeExceptionally(e);
                            throw e;
                        }
                    }));
                }
                try {
                    for (CompletableFuture<CleanupReport> result : results) {
                        awaitDone(result);
                    }
                } catch (TimeoutException e) {
                    stop("stopped at the plan's deadline (" + timeout + ")");
                } catch (InterruptedException e) {
                    stop("the plan was interrupted");
                    collect();
                    throw e;
                }
                return collect();
            } finally {
                pool.shutdownNow();
            }
        }

        /** Steps run within the time left, so each ends by the deadline plus its own final check. */
        private void awaitDone(CompletableFuture<CleanupReport> result) throws InterruptedException, TimeoutException {
            try {
                result.get(deadline.withFinalCheck().remaining().toNanos(), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                // an Error escaped the step: collect() reports the step as FAILED with it
            }
        }

        private CleanupReport runStep(CleanupStep step, int number) {
            try {
                CleanupReport report = step.executeWithin(deadline.remaining());
                return report != null
                        ? report
                        : stepOutcome(step, Outcome.Status.FAILED, "step " + number + " returned no report");
            } catch (CleanupFailedException e) { // interrupted, or could not start: its report says what happened
                return stopReason == null ? e.report() : withNote(e.report(), step.description() + ": " + stopReason);
            } catch (RuntimeException e) {
                LOG.error("step {} of {} ({}) failed", number, name, step.description(), e);
                return stepOutcome(step, Outcome.Status.FAILED, "step " + number + " did not complete: " + e);
            }
        }

        private void stop(String reason) {
            stopReason = reason;
            LOG.warn("{}: stopping {} of {}", reason, label(new Stage(steps, false), first), name);
            tasks.forEach(t -> t.cancel(true));
        }

        /** Each step's report; waits up to {@link #STOP_GRACE} for stopped ones, even when interrupted. */
        private List<CleanupReport> collect() {
            boolean interrupted = false;
            long until = System.nanoTime() + STOP_GRACE.toNanos();
            List<CleanupReport> reports = new ArrayList<>();
            for (int i = 0; i < steps.size(); i++) {
                CleanupReport report = null;
                while (report == null) {
                    try {
                        report = results.get(i).get(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
                    } catch (InterruptedException e) {
                        interrupted = true;
                    } catch (ExecutionException e) {
                        report = stepOutcome(
                                steps.get(i),
                                Outcome.Status.FAILED,
                                "step " + (first + i) + " did not complete: " + e.getCause());
                    } catch (TimeoutException e) {
                        report = stepOutcome(
                                steps.get(i),
                                Outcome.Status.FAILED,
                                "step " + (first + i) + " did not hand back a report within " + STOP_GRACE
                                        + " of being stopped (" + stopReason + ")");
                    }
                }
                reports.add(report);
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return reports;
        }
    }

    private static CleanupReport withNote(CleanupReport report, String note) {
        List<String> notes = new ArrayList<>(report.notes());
        notes.add(note);
        CleanupReport noted =
                new CleanupReport(report.resource(), report.scope(), report.outcomes(), report.duration(), notes);
        return report.parallelism().map(noted::withParallelism).orElse(noted);
    }

    /** Options of a plan: its steps in order, their grouping and barriers, one deadline. */
    public static final class Builder {

        private final ApiClient client;
        private final List<Stage> stages = new ArrayList<>();
        private String name = "cleanup plan";
        private Duration timeout = Duration.ofSeconds(DEFAULT_TIMEOUT_SECONDS);
        private Duration verifyAfter;
        private Sleeper sleeper = Sleeper.SYSTEM;
        private Ticker ticker = Ticker.SYSTEM;

        private Builder(ApiClient client) {
            this.client = Objects.requireNonNull(client, "client must not be null");
        }

        /** What the plan is called in its report and logs; default {@code "cleanup plan"}. */
        public Builder name(String name) {
            this.name = requireText(name, "name");
            return this;
        }

        /** The next step; it starts once every earlier step has finished. */
        public Builder step(CleanupStep step) {
            stages.add(new Stage(List.of(Objects.requireNonNull(step, "step must not be null")), false));
            return this;
        }

        /** Steps that run at the same time, after every earlier step and before every later one. */
        public Builder parallel(CleanupStep... steps) {
            Objects.requireNonNull(steps, "steps must not be null");
            if (steps.length == 0) {
                throw new IllegalArgumentException("parallel(...) needs at least one step");
            }
            Arrays.stream(steps).forEach(s -> Objects.requireNonNull(s, "a parallel step must not be null"));
            stages.add(new Stage(List.of(steps), false));
            return this;
        }

        /**
         * Marks the step (or parallel group) added last as a barrier: unless it is clean, no later step runs (each
         * is reported {@code SKIPPED}, naming the barrier). For example the backup volumes before the backups, whose
         * deletion races Longhorn's own cascade otherwise.
         */
        public Builder barrier() {
            if (stages.isEmpty()) {
                throw new IllegalStateException("barrier() marks the step added last: add a step first");
            }
            Stage last = stages.remove(stages.size() - 1);
            stages.add(new Stage(last.steps(), true));
            return this;
        }

        /** Deadline of the whole plan, all steps included; default {@value #DEFAULT_TIMEOUT_SECONDS} s. */
        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout must not be null");
            return this;
        }

        /**
         * After the last step, waits {@code grace} and lists every step's scope again: an object that this plan
         * deleted and that is there again (same name, new UID), as Longhorn's backupstore poll re-creates backups
         * from remote data, makes the report not clean. Off by default.
         */
        public Builder verifyAfter(Duration grace) {
            Objects.requireNonNull(grace, "grace must not be null");
            if (grace.isNegative()) {
                throw new IllegalArgumentException("verifyAfter grace must be >= 0, was " + grace);
            }
            this.verifyAfter = grace;
            return this;
        }

        // for testing: drive time without waiting
        Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper);
            return this;
        }

        // for testing
        Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker);
            return this;
        }

        /** Checks the plan (naming what is wrong) and builds it; immutable and reusable. */
        public CleanupPlan build() {
            if (stages.isEmpty()) {
                throw new IllegalArgumentException("a plan needs at least one step");
            }
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be > 0, was " + timeout);
            }
            return new CleanupPlan(this);
        }

        private static String requireText(String value, String what) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(what + " must not be blank, was \"" + value + "\"");
            }
            return value;
        }
    }
}

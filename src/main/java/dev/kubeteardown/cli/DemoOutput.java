package dev.kubeteardown.cli;

import com.google.gson.JsonObject;
import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.Outcome.Status;
import dev.kubeteardown.sim.RequestCounts;
import dev.kubeteardown.sim.SeededBackupstore;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/** What the demo shows of its runs: text as they happen, or one JSON document at the end. */
interface DemoOutput {

    static DemoOutput of(OutputOption format, PrintWriter out, SimulatorOptions simulation, boolean all) {
        return format.isText() ? new Text(out, simulation, all) : new Json(out);
    }

    /** The naive run starts on its own simulated cluster. */
    default void naiveStarted() {}

    /** A line of the naive run's own progress. */
    default void naiveProgress(String line) {}

    /** The naive run is over. */
    default void naiveFinished(NaiveTeardown.Result result) {}

    /** The simulated cluster for kube-teardown is seeded at {@code apiServer}; the teardown starts. */
    default void seeded(SeededBackupstore seeded, String apiServer) {}

    /** What to show of one kube-teardown step while it runs. */
    default StepProgress stepProgress(String label) {
        return StepProgress.NONE;
    }

    /**
     * Both runs are over.
     *
     * @param requests what the simulated API server received from kube-teardown
     * @param naive    the naive run's result, {@code null} when it did not run
     */
    void finished(List<CleanupReport> reports, RequestCounts requests, NaiveTeardown.Result naive);

    /** For people: the setting, live progress, the table and a closing line comparing with the naive run. */
    final class Text implements DemoOutput {
        private final PrintWriter out;
        private final SimulatorOptions simulation;
        private final boolean all;

        Text(PrintWriter out, SimulatorOptions simulation, boolean all) {
            this.out = out;
            this.simulation = simulation;
            this.all = all;
        }

        @Override
        public void naiveStarted() {
            out.println(
                    "The original algorithm (--naive: one delete at a time, 1 s polls, no 404 tolerance), same backupstore:");
            out.flush();
        }

        @Override
        public void naiveProgress(String line) {
            out.println("  " + line);
            out.flush();
        }

        @Override
        public void naiveFinished(NaiveTeardown.Result result) {
            out.println("  " + describe(result));
            out.println();
            out.flush();
        }

        @Override
        public void seeded(SeededBackupstore seeded, String apiServer) {
            out.printf(
                    Locale.ROOT,
                    "Simulated Longhorn (seed %d): %d backup volumes, %d backups (%d failed, without owner),"
                            + " API server %s%n",
                    simulation.seed,
                    seeded.backupVolumes().size(),
                    seeded.backupCount(),
                    seeded.failedBackups().size(),
                    apiServer);
            out.printf(
                    Locale.ROOT,
                    "Longhorn removes a gone volume's backups after %d ms, one per %d ms, and wins %.0f %%"
                            + " of backup deletes outright (--race-rate): those get 404%n",
                    simulation.cascadeDelay.toMillis(),
                    simulation.gcPace.toMillis(),
                    simulation.raceRate * 100);
            out.println("kube-teardown, in the order of Longhorn's suite (backup volumes, then backups):");
            out.flush();
        }

        @Override
        public StepProgress stepProgress(String label) {
            return ProgressDisplay.start(out, label);
        }

        @Override
        public void finished(List<CleanupReport> reports, RequestCounts requests, NaiveTeardown.Result naive) {
            new ReportPrinter(out).text(reports, all);
            out.println();
            out.printf(
                    Locale.ROOT,
                    "kube-teardown: %s in %.2f s, %d ALREADY_GONE (removed by Longhorn itself, not errors);"
                            + " %d API requests (%s)%n",
                    Main.exitCode(reports) == Main.CLEAN ? "clean" : "NOT CLEAN",
                    reports.stream().mapToLong(r -> r.duration().toMillis()).sum() / 1000.0,
                    reports.stream()
                            .mapToLong(r -> r.count(Status.ALREADY_GONE))
                            .sum(),
                    requests.total(),
                    requests.byVerb());
            if (naive != null) {
                out.println("naive:         " + describe(naive));
            }
            out.flush();
        }

        static String describe(NaiveTeardown.Result r) {
            String took = String.format(Locale.ROOT, "%.2f s", r.duration().toMillis() / 1000.0);
            if (r.succeeded()) {
                return "completed in " + took + " (" + r.deleted() + " deletes, " + r.polls() + " one-second polls)";
            }
            return "FAILED after " + took + ": " + r.failureMessage()
                    + " - the race kube-teardown counts as ALREADY_GONE";
        }
    }

    /** For CI: nothing while the runs go, then the reports with the naive run's result under {@code "naive"}. */
    final class Json implements DemoOutput {
        private final PrintWriter out;

        Json(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void finished(List<CleanupReport> reports, RequestCounts requests, NaiveTeardown.Result naive) {
            JsonObject extra = new JsonObject();
            if (naive != null) {
                JsonObject n = new JsonObject();
                n.addProperty("succeeded", naive.succeeded());
                n.addProperty("durationMillis", naive.duration().toMillis());
                n.addProperty("deleted", naive.deleted());
                if (naive.failure() != null) {
                    n.addProperty("failure", naive.failureMessage());
                }
                extra.add("naive", n);
            }
            new ReportPrinter(out).json(reports, extra);
        }
    }
}

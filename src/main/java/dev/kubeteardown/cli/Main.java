package dev.kubeteardown.cli;

import dev.kubeteardown.CleanupConfigurationException;
import dev.kubeteardown.CleanupFailedException;
import dev.kubeteardown.CleanupReport;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code kube-teardown} command line: {@code demo} on an embedded simulated Longhorn, {@code longhorn} against a
 * real cluster, {@code plan} for a plan file, {@code sweep} for what killed runs leaked.
 *
 * <p>Exit codes: {@value #CLEAN} clean, {@value #NOT_CLEAN} not clean (FAILED or STUCK objects),
 * {@value #USAGE} usage or configuration error. An interrupted run, and an unexpected error (its stack trace goes
 * to stderr), are {@value #NOT_CLEAN}: nobody can tell what was left behind.
 */
@Command(
        name = "kube-teardown",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Correct, fast and honest teardown of Kubernetes test resources (Longhorn backups and more).",
        subcommands = {
            DemoCommand.class,
            LonghornCommand.class,
            PlanCommand.class,
            SweepCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main {

    /** Every object removed or already gone. */
    public static final int CLEAN = 0;
    /** Some object FAILED or is STUCK, or the run was interrupted or failed unexpectedly. */
    public static final int NOT_CLEAN = 1;
    /** Bad usage, or the run could not start (no kubeconfig, unreachable server, missing CRD when required). */
    public static final int USAGE = 2;

    /** Log level of the executable jar's slf4j-simple binding unless set with -D; the report is the output. */
    static final String LOG_LEVEL_PROPERTY = "org.slf4j.simpleLogger.defaultLogLevel";

    public static void main(String[] args) {
        if (System.getProperty(LOG_LEVEL_PROPERTY) == null) {
            System.setProperty(LOG_LEVEL_PROPERTY, "warn");
        }
        System.exit(runInterruptibly(args));
    }

    /**
     * How long a command has, after Ctrl-C, to stop and print its partial report before the JVM exits without it.
     * Stopping cancels the requests in flight and waits for the workers, which is quick.
     */
    static final Duration STOP_GRACE = Duration.ofSeconds(10);

    /**
     * {@link #run(String...)}, where Ctrl-C (SIGINT, or SIGTERM from a CI timeout) interrupts the command rather than
     * killing it: the engine stops, the command prints its partial report, and the process exits {@value #NOT_CLEAN}
     * as the README says, instead of 130 with nothing printed. A second signal is not needed: the grace is bounded.
     */
    private static int runInterruptibly(String... args) {
        Thread command = Thread.currentThread();
        CountDownLatch finished = new CountDownLatch(1);
        AtomicInteger exitCode = new AtomicInteger(NOT_CLEAN);
        Thread hook = new Thread(
                () -> {
                    if (finished.getCount() == 0) {
                        return; // the command is over: this is its own System.exit
                    }
                    command.interrupt();
                    try {
                        if (finished.await(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                            // the status of a signal's shutdown is fixed (128 + signal): only halt sets ours
                            Runtime.getRuntime().halt(exitCode.get());
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "kube-teardown-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        int code = run(args);
        exitCode.set(code);
        finished.countDown();
        return code;
    }

    /** Runs the command line and returns its exit code (tests call this in-process). */
    public static int run(String... args) {
        return run(null, null, args);
    }

    /** Runs with the given output and error writers ({@code null}: the standard streams). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main());
        if (out != null) {
            cli.setOut(out);
        }
        if (err != null) {
            cli.setErr(err);
        }
        cli.setCaseInsensitiveEnumValuesAllowed(true); // -o JSON, --dry-run=Server
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> handle(e, commandLine.getErr()));
        try {
            return cli.execute(args);
        } finally {
            // before the JVM exits, perhaps by halt (see runInterruptibly): nothing printed may be lost
            cli.getOut().flush();
            cli.getErr().flush();
        }
    }

    /**
     * The exit code of a run cut short by an interrupt, once its partial report is printed: {@value #NOT_CLEAN}, since
     * what it had not reached may still be there.
     */
    static int interrupted(PrintWriter err) {
        err.println("error: interrupted: the report covers only what was done before; the rest may still be there");
        err.flush();
        return NOT_CLEAN;
    }

    /** {@value #CLEAN} when every report is clean, else {@value #NOT_CLEAN}. */
    static int exitCode(List<CleanupReport> reports) {
        return reports.stream().allMatch(CleanupReport::isClean) ? CLEAN : NOT_CLEAN;
    }

    /**
     * The exit code for an exception out of a command: usage and configuration errors are {@value #USAGE} with
     * their message; an interrupted or failed teardown is {@value #NOT_CLEAN} (the cluster may not be clean); anything
     * else is a bug or an unforeseen failure: its type and stack trace go to stderr, and since nobody knows what was
     * left behind, it is {@value #NOT_CLEAN} too.
     */
    static int handle(Exception e, PrintWriter err) {
        // before CleanupFailedException, which it extends: a run that could not start is a configuration error
        if (e instanceof CleanupConfigurationException
                || e instanceof IllegalArgumentException
                || e instanceof CommandLine.ParameterException) {
            // a builder's words for a value (olderThan, parallelism) as the flag that sets it
            err.println("error: "
                    + (e instanceof IllegalArgumentException ? Flags.flagged(e.getMessage()) : e.getMessage()));
            return USAGE;
        }
        if (e instanceof CleanupFailedException || e instanceof InterruptedException) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            err.println("error: " + (e instanceof InterruptedException ? "interrupted" : e.getMessage()));
            return NOT_CLEAN;
        }
        err.println(
                "error: unexpected " + e.getClass().getName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        e.printStackTrace(err);
        err.flush();
        return NOT_CLEAN;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"kube-teardown " + (v == null ? "(development build)" : v)};
        }
    }
}

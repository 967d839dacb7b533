package dev.kubeteardown.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code kube-teardown} command line: {@code demo} on an embedded simulated Longhorn, {@code longhorn} against a
 * real cluster, {@code sweep} for what killed runs leaked.
 *
 * <p>Exit codes: {@value #CLEAN} clean, {@value #NOT_CLEAN} not clean (FAILED or STUCK objects),
 * {@value #USAGE} usage or configuration error.
 */
@Command(name = "kube-teardown", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Correct, fast and honest teardown of Kubernetes test resources (Longhorn backups and more).",
        subcommands = {DemoCommand.class, LonghornCommand.class, SweepCommand.class, CommandLine.HelpCommand.class})
public final class Main {

    /** Every object removed or already gone. */
    public static final int CLEAN = 0;
    /** Some object FAILED or is STUCK. */
    public static final int NOT_CLEAN = 1;
    /** Bad usage, or the run could not start (no kubeconfig, unreachable server, missing CRD when required). */
    public static final int USAGE = 2;

    /** Log level of the executable jar's slf4j-simple binding unless set with -D; the report is the output. */
    static final String LOG_LEVEL_PROPERTY = "org.slf4j.simpleLogger.defaultLogLevel";

    public static void main(String[] args) {
        if (System.getProperty(LOG_LEVEL_PROPERTY) == null) {
            System.setProperty(LOG_LEVEL_PROPERTY, "warn");
        }
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (tests call this in-process). */
    public static int run(String... args) {
        return run(null, null, args);
    }

    /** Runs with the given output and error writers ({@code null}: the standard streams). */
    public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main());
        if (out != null) {
            cli.setOut(out);
        }
        if (err != null) {
            cli.setErr(err);
        }
        cli.setExitCodeExceptionMapper(e -> USAGE);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("error: " + e.getMessage());
            return USAGE;
        });
        return cli.execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"kube-teardown " + (v == null ? "(development build)" : v)};
        }
    }
}

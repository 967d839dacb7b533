package dev.kubeteardown.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.kubeteardown.cli.Main;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * The CLI's {@code longhorn --yes} run several times in one JVM, one namespace after the other: the first run pays
 * class loading, JIT and TLS set-up (the JVM's own start excluded), the later ones show the warm cost. Started by
 * {@link RealBench} as a new process with the CLI jar on its class path; prints one line per run:
 * {@code run <i> <seconds> <process CPU seconds> <exit code>}.
 */
final class WarmRuns {

    public static void main(String[] args) {
        String kubeconfig = args[0];
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        PrintWriter discard = new PrintWriter(OutputStream.nullOutputStream());
        for (int i = 1; i < args.length; i++) {
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            int code = Main.run(discard, discard, "longhorn", "-n", args[i], "--yes", "--kubeconfig", kubeconfig);
            double seconds = (System.nanoTime() - t0) / 1e9;
            double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
            System.out.printf(Locale.ROOT, "run %d %.4f %.4f %d%n", i, seconds, cpu, code);
        }
    }

    private WarmRuns() {}
}

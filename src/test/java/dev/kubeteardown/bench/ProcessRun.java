package dev.kubeteardown.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One command run as a new process, as a user runs it: its wall time from start to exit, and the CPU time of the
 * process and its children (user + system, from bash's {@code times}), which a JVM's own counters cannot see once
 * the process is gone. Standard output is discarded; standard error goes to a log file.
 */
record ProcessRun(double seconds, double cpuSeconds, int exitCode, String errorTail) {

    private static final Pattern TIMES = Pattern.compile("(\\d+)m([\\d.]+)s\\s+(\\d+)m([\\d.]+)s");
    private static final String WRAPPER = "\"$@\" >/dev/null; rc=$?; times >&2; exit $rc";

    static ProcessRun run(List<String> command, Path errorLog, Duration timeout)
            throws IOException, InterruptedException {
        List<String> wrapped = new ArrayList<>(List.of("bash", "-c", WRAPPER, "bash"));
        wrapped.addAll(command);
        Files.createDirectories(errorLog.toAbsolutePath().getParent());
        ProcessBuilder builder = new ProcessBuilder(wrapped)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(errorLog.toFile());
        long start = System.nanoTime();
        Process process = builder.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor();
            return new ProcessRun((System.nanoTime() - start) / 1e9, Double.NaN, -1, "timed out after " + timeout);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        List<String> lines = Files.readAllLines(errorLog, StandardCharsets.UTF_8);
        // times prints two lines: the shell's own user/system time, then its children's
        double cpu = Double.NaN;
        if (!lines.isEmpty()) {
            Matcher m = TIMES.matcher(lines.get(lines.size() - 1));
            if (m.find()) {
                cpu = Integer.parseInt(m.group(1)) * 60
                        + Double.parseDouble(m.group(2))
                        + Integer.parseInt(m.group(3)) * 60
                        + Double.parseDouble(m.group(4));
            }
        }
        List<String> output = lines.subList(0, Math.max(0, lines.size() - 2));
        String tail = String.join(" / ", output.subList(Math.max(0, output.size() - 3), output.size()));
        return new ProcessRun(seconds, cpu, process.exitValue(), tail);
    }

    /** CPU seconds (user + system) a running process has used so far, from {@code /proc/PID/stat}; NaN if unknown. */
    static double cpuOf(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8);
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields 14 and 15 of the file (utime, stime) are 12 and 13 here, after pid and comm
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) CLOCK_TICKS;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK). */
    private static final int CLOCK_TICKS = 100;
}

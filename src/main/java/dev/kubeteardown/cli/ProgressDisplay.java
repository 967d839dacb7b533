package dev.kubeteardown.cli;

import dev.kubeteardown.Outcome;
import java.io.PrintWriter;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/**
 * Live progress of one step: on a terminal, a bar with counts per outcome redrawn in place; elsewhere (CI logs,
 * pipes) a plain line now and then, so logs stay readable. A line is printed only when it says something new, so a
 * step that changes nothing after its last line (an unreachable server) ends without repeating it.
 *
 * <p>Objects are decided in bursts (one list during the wait confirms many gone at once); a draw per event, limited
 * to one per interval, would leave a burst's tail unshown until the step ends. A timer redraws what changed since,
 * so the bar moves while the step waits, not only while it deletes.
 */
final class ProgressDisplay implements StepProgress {

    private static final long PLAIN_INTERVAL_NANOS = 2_000_000_000L;
    private static final long TTY_INTERVAL_NANOS = 100_000_000L;

    private final PrintWriter out;
    private final boolean tty;
    private final String label;
    private final LongSupplier nanoTime;
    private final AtomicLong listed = new AtomicLong();
    private final Map<Outcome.Status, AtomicLong> decided = new EnumMap<>(Outcome.Status.class);
    private long lastDraw;
    private String lastLine;
    private ScheduledExecutorService timer;

    /** Progress of step {@code label}: a bar when a person is at a terminal, plain lines now and then elsewhere. */
    static ProgressDisplay start(PrintWriter out, String label) {
        ProgressDisplay display = new ProgressDisplay(out, System.console() != null, label, System::nanoTime);
        display.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kube-teardown-progress");
            t.setDaemon(true);
            return t;
        });
        long interval = display.interval();
        display.timer.scheduleAtFixedRate(display::tick, interval, interval, TimeUnit.NANOSECONDS);
        return display;
    }

    /** A display without a timer ({@link #tick()} is called by the caller); {@code nanoTime} is its clock. */
    ProgressDisplay(PrintWriter out, boolean tty, String label, LongSupplier nanoTime) {
        this.out = out;
        this.tty = tty;
        this.label = label;
        this.nanoTime = nanoTime;
        for (Outcome.Status s : Outcome.Status.values()) {
            decided.put(s, new AtomicLong());
        }
        this.lastDraw = nanoTime.getAsLong();
    }

    @Override
    public void listed(String namespace, String name) {
        listed.incrementAndGet();
        tick();
    }

    @Override
    public void decided(Outcome outcome) {
        decided.get(outcome.status()).incrementAndGet();
        tick();
    }

    /** Draws what changed, at most once an interval: on each event, and from the timer between events. */
    synchronized void tick() {
        long now = nanoTime.getAsLong();
        if (now - lastDraw >= interval()) {
            lastDraw = now;
            draw(false);
        }
    }

    private long interval() {
        return tty ? TTY_INTERVAL_NANOS : PLAIN_INTERVAL_NANOS;
    }

    /** Draws the final state and ends the line. */
    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
            awaitTimer(); // a step's display leaves no thread behind it
        }
        synchronized (this) {
            draw(true);
        }
    }

    private void awaitTimer() {
        try {
            if (!timer.awaitTermination(1, TimeUnit.SECONDS)) {
                LoggerFactory.getLogger(ProgressDisplay.class).debug("progress timer did not stop within 1 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // an interrupted command still ends; the daemon timer dies with it
        }
    }

    private void draw(boolean last) {
        long done = decided.values().stream().mapToLong(AtomicLong::get).sum();
        // a scope outcome (the list itself failed) is decided without being listed
        long total = Math.max(listed.get(), done);
        String counts = decided.entrySet().stream()
                .filter(e -> e.getValue().get() > 0)
                .map(e -> e.getKey() + " " + e.getValue().get())
                .collect(Collectors.joining(", "));
        String line;
        if (tty) {
            int width = 24;
            int filled = total == 0 ? (last ? width : 0) : (int) Math.min(width, done * width / total);
            line = String.format(
                    Locale.ROOT,
                    "\r  %-14s [%s%s] %d/%d  %s\u001b[K",
                    label,
                    "#".repeat(filled),
                    " ".repeat(width - filled),
                    done,
                    total,
                    counts);
        } else {
            line = String.format(
                    Locale.ROOT,
                    "  %s: %d/%d decided%s%n",
                    label,
                    done,
                    total,
                    counts.isEmpty() ? "" : " (" + counts + ")");
        }
        if (!line.equals(lastLine)) {
            out.print(line);
            lastLine = line;
        } else if (!tty) {
            return; // nothing new: a log line that repeats the last one says nothing
        }
        if (tty && last) {
            out.println();
        }
        out.flush();
    }
}

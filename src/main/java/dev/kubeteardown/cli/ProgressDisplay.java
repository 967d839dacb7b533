package dev.kubeteardown.cli;

import dev.kubeteardown.Outcome;
import java.io.PrintWriter;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Live progress of one step: on a terminal, a bar with counts per outcome redrawn in place; elsewhere (CI logs,
 * pipes) a plain line now and then, so logs stay readable.
 */
final class ProgressDisplay implements StepProgress {

    private static final long PLAIN_INTERVAL_NANOS = 2_000_000_000L;
    private static final long TTY_INTERVAL_NANOS = 100_000_000L;

    private final PrintWriter out;
    private final boolean tty;
    private final String label;
    private final AtomicLong listed = new AtomicLong();
    private final Map<Outcome.Status, AtomicLong> decided = new EnumMap<>(Outcome.Status.class);
    private volatile long lastDraw;

    /** Progress of step {@code label}: a bar when a person is at a terminal, plain lines now and then elsewhere. */
    static ProgressDisplay start(PrintWriter out, String label) {
        return new ProgressDisplay(out, System.console() != null, label);
    }

    ProgressDisplay(PrintWriter out, boolean tty, String label) {
        this.out = out;
        this.tty = tty;
        this.label = label;
        for (Outcome.Status s : Outcome.Status.values()) {
            decided.put(s, new AtomicLong());
        }
        this.lastDraw = System.nanoTime();
    }

    @Override
    public void listed(String namespace, String name) {
        listed.incrementAndGet();
        maybeDraw();
    }

    @Override
    public void decided(Outcome outcome) {
        decided.get(outcome.status()).incrementAndGet();
        maybeDraw();
    }

    private void maybeDraw() {
        long now = System.nanoTime();
        if (now - lastDraw >= (tty ? TTY_INTERVAL_NANOS : PLAIN_INTERVAL_NANOS)) {
            lastDraw = now;
            draw(false);
        }
    }

    /** Draws the final state and ends the line. */
    @Override
    public void close() {
        draw(true);
    }

    private synchronized void draw(boolean last) {
        long total = listed.get();
        long done = decided.values().stream().mapToLong(AtomicLong::get).sum();
        String counts = decided.entrySet().stream()
                .filter(e -> e.getValue().get() > 0)
                .map(e -> e.getKey() + " " + e.getValue().get())
                .collect(Collectors.joining(", "));
        if (tty) {
            int width = 24;
            int filled = total == 0 ? (last ? width : 0) : (int) Math.min(width, done * width / total);
            out.printf(
                    Locale.ROOT,
                    "\r  %-14s [%s%s] %d/%d  %s\u001b[K",
                    label,
                    "#".repeat(filled),
                    " ".repeat(width - filled),
                    done,
                    total,
                    counts);
            if (last) {
                out.println();
            }
        } else {
            out.printf(
                    Locale.ROOT,
                    "  %s: %d/%d decided%s%n",
                    label,
                    done,
                    total,
                    counts.isEmpty() ? "" : " (" + counts + ")");
        }
        out.flush();
    }
}

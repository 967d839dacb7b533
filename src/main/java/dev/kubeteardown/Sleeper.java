package dev.kubeteardown;

import java.time.Duration;

/** The one place a run sleeps (backoff, poll intervals); injectable so tests need not wait. */
@FunctionalInterface
interface Sleeper {

    Sleeper SYSTEM = d -> {
        long nanos = d.toNanos();
        if (nanos > 0) {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        }
    };

    void sleep(Duration duration) throws InterruptedException;
}

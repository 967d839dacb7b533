package dev.kubeteardown;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Capped exponential backoff with jitter, as a value: the attempt counter lives with the caller.
 *
 * @param initial     delay before the first retry
 * @param max         cap on any delay
 * @param jitter      fraction in {@code [0, 1]} by which a delay is randomly shortened, so parallel clients spread out
 * @param maxAttempts requests per object, the first one included
 */
public record Backoff(Duration initial, Duration max, double jitter, int maxAttempts) {

    /** 100 ms doubling up to 5 s, 20 % jitter, 6 attempts. */
    public static final Backoff DEFAULT = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), 0.2, 6);

    public Backoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("backoff initial delay must be > 0, was " + initial);
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException(
                    "backoff max delay must be >= initial delay " + initial + ", was " + max);
        }
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new IllegalArgumentException("backoff jitter must be within [0, 1], was " + jitter);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("backoff maxAttempts must be >= 1, was " + maxAttempts);
        }
    }

    /** A backoff that never retries. */
    public static Backoff noRetries() {
        return new Backoff(Duration.ofMillis(1), Duration.ofMillis(1), 0, 1);
    }

    /** The same backoff with another attempt limit. */
    public Backoff withMaxAttempts(int attempts) {
        return new Backoff(initial, max, jitter, attempts);
    }

    /**
     * The delay before retry number {@code retry} (1 for the first retry): {@code initial * 2^(retry-1)}, capped at
     * {@code max}, then shortened by up to {@code jitter} of itself.
     */
    public Duration delayBefore(int retry, RandomGenerator random) {
        if (retry < 1) {
            throw new IllegalArgumentException("retry must be >= 1, was " + retry);
        }
        long base = initial.toNanos();
        long capped = max.toNanos();
        int shift = Math.min(retry - 1, 40);
        long delay = base > (capped >> shift) ? capped : base << shift;
        long shortened = (long) (delay * jitter * random.nextDouble());
        return Duration.ofNanos(delay - shortened);
    }
}

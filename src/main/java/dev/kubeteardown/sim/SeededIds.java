package dev.kubeteardown.sim;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The UIDs and {@code generateName} suffixes the simulated API server hands out: the n-th of each is a hash of
 * the seed and n, so a simulator started with the same seed gives the same sequence (for the same sequence of
 * creates). A counter, not a shared {@link java.util.Random}: each value depends only on its position.
 */
final class SeededIds {

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final long SUFFIX_SALT = 0x5DEECE66DL;

    private final long seed;
    private final AtomicLong uids = new AtomicLong();
    private final AtomicLong suffixes = new AtomicLong();

    SeededIds(long seed) {
        this.seed = seed;
    }

    /** The next UID: a version-4 UUID, as the API server's look. */
    String nextUid() {
        long n = uids.incrementAndGet();
        long most = mix(seed + n * GOLDEN);
        long least = mix(most ^ (seed * GOLDEN + n));
        most = (most & 0xFFFFFFFFFFFF0FFFL) | 0x0000000000004000L;
        least = (least & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(most, least).toString();
    }

    /** The next {@code length}-character suffix drawn from {@code alphabet}. */
    String nextSuffix(String alphabet, int length) {
        long bits = mix((seed ^ SUFFIX_SALT) + suffixes.incrementAndGet() * GOLDEN);
        StringBuilder suffix = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            suffix.append(alphabet.charAt((int) Long.remainderUnsigned(bits, alphabet.length())));
            bits = Long.divideUnsigned(bits, alphabet.length());
        }
        return suffix.toString();
    }

    /** SplitMix64's finalizer: every input bit affects every output bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}

package dev.kubeteardown;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.UnaryOperator;

/**
 * Returns one instance for equal strings seen close together, so that the outcomes of a run share their namespace,
 * deletion timestamp and detail instead of each holding a copy parsed from its own JSON. A direct-mapped cache of
 * {@value #SLOTS} entries: its memory does not grow with the number of objects, and a string pushed out by another
 * is merely not shared. Thread-safe (strings are immutable, so a racing read sees a whole one or none).
 */
final class SharedStrings implements UnaryOperator<String> {

    private static final int SLOTS = 256;

    private final AtomicReferenceArray<String> slots = new AtomicReferenceArray<>(SLOTS);

    @Override
    public String apply(String s) {
        int h = s.hashCode();
        int slot = (h ^ (h >>> 16)) & (SLOTS - 1);
        String cached = slots.get(slot);
        if (s.equals(cached)) {
            return cached;
        }
        slots.set(slot, s);
        return s;
    }
}

package dev.kubeteardown;

/** A monotonic time source in nanoseconds; injectable so tests can drive time. */
@FunctionalInterface
interface Ticker {

    Ticker SYSTEM = System::nanoTime;

    long nanoTime();
}

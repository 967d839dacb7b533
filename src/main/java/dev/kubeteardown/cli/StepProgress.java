package dev.kubeteardown.cli;

import dev.kubeteardown.CleanupListener;

/** What a person sees of one step while it runs: its events as they happen, and its end. */
interface StepProgress extends CleanupListener, AutoCloseable {

    /** Shows nothing (JSON output). */
    StepProgress NONE = () -> {};

    /** The step is over, whether it completed or not. */
    @Override
    void close();
}

package dev.kubeteardown.junit;

/** When a cleanup runs; named as the JUnit callbacks are, for logs and report entries. */
enum Phase {
    BEFORE_ALL("beforeAll"),
    AFTER_EACH("afterEach"),
    AFTER_ALL("afterAll");

    private final String label;

    Phase(String label) {
        this.label = label;
    }

    @Override
    public String toString() {
        return label;
    }
}

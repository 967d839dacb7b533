package dev.kubeteardown;

/** How the API server treats the dependents (objects with ownerReferences) of a deleted object. */
public enum PropagationPolicy {
    /** Delete the object now; the garbage collector deletes dependents afterwards (the API server's default). */
    BACKGROUND("Background"),
    /** Delete dependents first; the object goes when they are gone. */
    FOREGROUND("Foreground"),
    /** Delete the object and leave its dependents in place. */
    ORPHAN("Orphan");

    private final String wireValue;

    PropagationPolicy(String wireValue) {
        this.wireValue = wireValue;
    }

    /** The value sent in {@code DeleteOptions.propagationPolicy}. */
    public String wireValue() {
        return wireValue;
    }
}

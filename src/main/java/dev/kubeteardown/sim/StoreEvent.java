package dev.kubeteardown.sim;

/**
 * A change committed to the {@link ObjectStore}, in resource-version order.
 *
 * @param type what happened
 * @param object the new version; for {@link Type#DELETED} the last state, stamped with the deletion's version
 * @param previous the version before the change, null for {@link Type#ADDED}
 */
record StoreEvent(Type type, StoredObject object, StoredObject previous) {

    enum Type {
        ADDED,
        MODIFIED,
        DELETED
    }

    long resourceVersion() {
        return object.resourceVersion();
    }
}

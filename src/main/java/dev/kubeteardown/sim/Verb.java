package dev.kubeteardown.sim;

import java.util.Locale;

/** The API-server verb of a request, derived from method, path and query as kube-apiserver does. */
public enum Verb {
    /** GET on a collection. */
    LIST,
    /** GET on a named object. */
    GET,
    /** GET with {@code watch=true} (or {@code 1}). */
    WATCH,
    /** POST. */
    CREATE,
    /** PUT. */
    UPDATE,
    /** PATCH. */
    PATCH,
    /** DELETE on a named object. */
    DELETE,
    /** DELETE on a collection. */
    DELETECOLLECTION;

    static Verb of(String method, boolean named, boolean watch) {
        return switch (method) {
            case "GET", "HEAD" -> watch ? WATCH : named ? GET : LIST;
            case "POST" -> CREATE;
            case "PUT" -> UPDATE;
            case "PATCH" -> PATCH;
            case "DELETE" -> named ? DELETE : DELETECOLLECTION;
            default -> null;
        };
    }

    /** The lower-case RBAC verb used in server messages. */
    String rbacName() {
        return name().toLowerCase(Locale.ROOT);
    }
}

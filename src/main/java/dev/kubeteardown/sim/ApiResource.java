package dev.kubeteardown.sim;

import java.util.List;
import java.util.Objects;

/**
 * A resource type the simulator serves from its own indexed store (with real API-server semantics),
 * rather than passing it to the plain fabric8 CRUD mock.
 *
 * @param group API group, {@code ""} for the core group
 * @param version API version, e.g. {@code v1beta2}
 * @param kind object kind, e.g. {@code Backup}
 * @param plural the URL segment, e.g. {@code backups}
 * @param namespaced whether objects live in a namespace
 * @param shortNames kubectl short names, only reported in discovery
 */
public record ApiResource(
        String group, String version, String kind, String plural, boolean namespaced, List<String> shortNames) {

    public ApiResource {
        Objects.requireNonNull(group, "group");
        requireNonBlank(version, "version");
        requireNonBlank(kind, "kind");
        requireNonBlank(plural, "plural");
        shortNames = List.copyOf(shortNames);
    }

    /** A namespaced custom resource without short names. */
    public static ApiResource namespaced(String group, String version, String kind, String plural) {
        return new ApiResource(group, version, kind, plural, true, List.of());
    }

    /** {@code group/version}, or just the version for the core group, as in {@code apiVersion}. */
    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** {@code plural.group}, or just the plural for the core group, as in server messages. */
    public String qualifiedName() {
        return group.isEmpty() ? plural : plural + "." + group;
    }

    String listKind() {
        return kind + "List";
    }

    private static void requireNonBlank(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank, was '" + value + "'");
        }
    }
}

package dev.kubeteardown;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A resource type as the API server's discovery serves it: what {@link ApiDiscovery#resolve(String)} turns a name
 * such as {@code cm} or {@code backups.longhorn.io} into, and what {@link ApiDiscovery#allServed()} lists.
 *
 * @param group      API group, {@code ""} for the core group
 * @param version    the served version this type was resolved to
 * @param plural     the resource name in URLs, e.g. {@code configmaps}
 * @param singular   the singular name, e.g. {@code configmap} (derived from the kind when the server leaves it empty)
 * @param kind       the object kind, e.g. {@code ConfigMap}
 * @param namespaced whether objects of this type live in a namespace
 * @param verbs      the verbs the server supports on the collection and its objects, e.g. {@code list}, {@code delete}
 * @param shortNames kubectl short names, e.g. {@code cm}
 */
public record ServedType(
        String group,
        String version,
        String plural,
        String singular,
        String kind,
        boolean namespaced,
        List<String> verbs,
        List<String> shortNames) {

    public ServedType {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(plural, "plural");
        Objects.requireNonNull(kind, "kind");
        singular = singular == null || singular.isEmpty() ? kind.toLowerCase(Locale.ROOT) : singular;
        verbs = List.copyOf(verbs);
        shortNames = List.copyOf(shortNames);
    }

    /** Whether the server supports every one of the verbs, e.g. {@code supports("list", "delete")}. */
    public boolean supports(String... required) {
        return verbs.containsAll(List.of(required));
    }

    /** The engine's address of this type, for {@link Cleanup#builder}. */
    public ResourceType toResourceType() {
        return new ResourceType(group, version, plural, namespaced);
    }

    /** {@code group/version}, or only {@code version} for the core group, as in an object's {@code apiVersion}. */
    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** {@code plural.group} as kubectl spells it, e.g. {@code backups.longhorn.io}, or the plural for the core group. */
    public String qualifiedName() {
        return group.isEmpty() ? plural : plural + "." + group;
    }

    @Override
    public String toString() {
        return qualifiedName() + "/" + version;
    }
}

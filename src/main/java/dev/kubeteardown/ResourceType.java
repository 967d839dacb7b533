package dev.kubeteardown;

import java.util.Objects;

/**
 * A Kubernetes resource type addressed the way the API server serves it: group, version and plural.
 *
 * <p>Custom resources and built-in types are addressed alike; the core group is the empty string
 * ({@code ResourceType.core("v1", "configmaps")} is served under {@code /api/v1}).
 *
 * @param group      API group, {@code ""} for the core group
 * @param version    API version within the group, e.g. {@code v1beta2}
 * @param plural     lower-case plural resource name, e.g. {@code backups}
 * @param namespaced whether objects of this type live in a namespace
 */
public record ResourceType(String group, String version, String plural, boolean namespaced) {

    /** Validates every part, so a typo is reported before any request is sent. */
    public ResourceType {
        Objects.requireNonNull(group, "group must not be null (use \"\" for the core group)");
        Objects.requireNonNull(version, "version must not be null");
        Objects.requireNonNull(plural, "plural must not be null");
        if (!group.isEmpty() && !KubernetesNames.isDnsSubdomain(group)) {
            throw new IllegalArgumentException(
                    "group must be a lower-case DNS subdomain such as longhorn.io, was \"" + group + "\"");
        }
        if (!KubernetesNames.isDnsLabel(version)) {
            throw new IllegalArgumentException(
                    "version must be a lower-case DNS label such as v1beta2, was \"" + version + "\"");
        }
        if (!KubernetesNames.isDnsLabel(plural)) {
            throw new IllegalArgumentException("plural must be the lower-case plural resource name such as backups"
                    + " (not the kind, not plural.group), was \"" + plural + "\"");
        }
    }

    /** A namespaced custom (or any non-core) resource type, e.g. {@code namespaced("longhorn.io", "v1beta2", "backups")}. */
    public static ResourceType namespaced(String group, String version, String plural) {
        return new ResourceType(group, version, plural, true);
    }

    /** A cluster-scoped resource type, e.g. {@code clusterScoped("storage.k8s.io", "v1", "storageclasses")}. */
    public static ResourceType clusterScoped(String group, String version, String plural) {
        return new ResourceType(group, version, plural, false);
    }

    /** A namespaced type of the core group, e.g. {@code core("v1", "configmaps")}. */
    public static ResourceType core(String version, String plural) {
        return new ResourceType("", version, plural, true);
    }

    /** {@code group/version}, or only {@code version} for the core group, as in an object's {@code apiVersion}. */
    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** {@code plural.group} as kubectl and API server messages name it, e.g. {@code backups.longhorn.io}. */
    public String qualifiedName() {
        return group.isEmpty() ? plural : plural + "." + group;
    }

    /** The collection path, e.g. {@code /apis/longhorn.io/v1beta2/namespaces/longhorn-system/backups}. */
    String collectionPath(String namespace) {
        String base = group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
        return namespace == null ? base + "/" + plural : base + "/namespaces/" + namespace + "/" + plural;
    }

    @Override
    public String toString() {
        return qualifiedName() + "/" + version;
    }
}

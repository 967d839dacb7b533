package dev.kubeteardown.longhorn;

import dev.kubeteardown.CleanupBuilder;
import dev.kubeteardown.ResourceType;
import io.kubernetes.client.openapi.ApiClient;
import java.util.Objects;

/**
 * The options of a Longhorn cleanup: every engine option, with Longhorn's namespace and version as defaults, plus
 * the API version and {@code delete-custom-resource-only}.
 *
 * @param <B> the concrete builder
 */
public abstract class LonghornCleanupBuilder<B extends LonghornCleanupBuilder<B>> extends CleanupBuilder<B> {

    private final String plural;

    LonghornCleanupBuilder(ApiClient client, String plural) {
        super(
                client,
                ResourceType.namespaced(Longhorn.GROUP, Longhorn.DEFAULT_API_VERSION, plural),
                Longhorn.DEFAULT_NAMESPACE);
        this.plural = plural;
        preferServedVersion(Longhorn.DEFAULT_API_VERSION, Longhorn.OLD_API_VERSION);
    }

    /**
     * The Longhorn API version to use; default: the one the cluster serves, {@value Longhorn#DEFAULT_API_VERSION},
     * else {@value Longhorn#OLD_API_VERSION} (gone from 1.10), else {@value Longhorn#DEFAULT_API_VERSION}.
     */
    public B apiVersion(String apiVersion) {
        Objects.requireNonNull(apiVersion, "apiVersion must not be null");
        return resourceType(ResourceType.namespaced(Longhorn.GROUP, apiVersion, plural));
    }

    /**
     * {@code true}: label each object {@value Longhorn#DELETE_CUSTOM_RESOURCE_ONLY_LABEL}{@code ="true"} before
     * deleting it, so Longhorn removes only the custom resource and keeps the data in the backupstore (its
     * backupstore poll may then re-create the object). Default {@code false}.
     */
    public B deleteCustomResourceOnly(boolean customResourceOnly) {
        return customResourceOnly
                ? labelBeforeDelete(Longhorn.DELETE_CUSTOM_RESOURCE_ONLY_LABEL, "true")
                : noLabelBeforeDelete(Longhorn.DELETE_CUSTOM_RESOURCE_ONLY_LABEL);
    }
}

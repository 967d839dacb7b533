package dev.kubeteardown.longhorn;

import dev.kubeteardown.Cleanup;
import io.kubernetes.client.openapi.ApiClient;

/** One Longhorn resource type of a {@link LonghornPlans plan} that has no preset of its own (volumes, snapshots, ...). */
final class LonghornTypeCleanup extends LonghornStep {

    private LonghornTypeCleanup(Cleanup cleanup) {
        super(cleanup);
    }

    static Builder builder(ApiClient client, String plural) {
        return new Builder(client, plural);
    }

    static final class Builder extends LonghornCleanupBuilder<Builder> {

        Builder(ApiClient client, String plural) {
            super(client, plural);
        }

        LonghornTypeCleanup build() {
            return new LonghornTypeCleanup(buildCleanup());
        }
    }
}

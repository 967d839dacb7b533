package dev.kubeteardown.sim;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The kind of each built-in resource type (group, version, plural), as kube-apiserver knows them: taken from
 * the types fabric8's Kubernetes model registers as {@link KubernetesResource} services, so it knows the
 * model jars on the class path. Loaded once, on the first lookup (it loads every model class).
 */
final class BuiltInKinds {

    private static final int MAX_SKIPPED = 1_000;

    private BuiltInKinds() {}

    /** The kind served at {@code group/version/plural} (core group: empty), if a model class declares it. */
    static Optional<String> kindOf(String group, String version, String plural) {
        return Optional.ofNullable(Holder.KINDS.get(key(group, version, plural)));
    }

    private static String key(String group, String version, String plural) {
        return group + "/" + version + "/" + plural;
    }

    private static final class Holder {
        static final Map<String, String> KINDS = load();

        private static Map<String, String> load() {
            Map<String, String> kinds = new HashMap<>();
            Iterator<ServiceLoader.Provider<KubernetesResource>> providers =
                    ServiceLoader.load(KubernetesResource.class, BuiltInKinds.class.getClassLoader()).stream()
                            .iterator();
            int skipped = 0;
            while (true) {
                Class<? extends KubernetesResource> type;
                try {
                    if (!providers.hasNext()) {
                        break;
                    }
                    type = providers.next().type();
                } catch (ServiceConfigurationError | LinkageError e) {
                    // a registered class that is absent (e.g. left out of a slim jar): skip it
                    if (++skipped > MAX_SKIPPED) {
                        break;
                    }
                    continue;
                }
                if (HasMetadata.class.isAssignableFrom(type)) {
                    String version = HasMetadata.getVersion(type);
                    if (version != null) {
                        String group = HasMetadata.getGroup(type);
                        kinds.putIfAbsent(
                                key(group == null ? "" : group, version, HasMetadata.getPlural(type)),
                                HasMetadata.getKind(type));
                    }
                }
            }
            return Map.copyOf(kinds);
        }
    }
}

package dev.kubeteardown;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.kubernetes.client.openapi.ApiClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Why a namespace is still {@code Terminating}: its {@code status.conditions} that are true, its
 * {@code spec.finalizers}, and what is still inside it (every namespaced type the server serves with {@code list},
 * found by {@link ApiDiscovery}). Read only; bounded by {@link NamespaceCleanup#DIAGNOSIS_SECONDS} in all.
 */
final class NamespaceDiagnosis {

    /** Remaining objects named one by one in a detail; the rest are counted. */
    static final int MAX_LISTED = 20;

    private static final Logger LOG = LoggerFactory.getLogger(NamespaceCleanup.class);

    private final ApiClient client;
    private final CleanupSpec.Hooks hooks;

    NamespaceDiagnosis(ApiClient client, CleanupSpec.Hooks hooks) {
        this.client = client;
        this.hooks = hooks;
    }

    /** One explanation per namespace, in order. */
    List<String> explain(List<String> namespaces) {
        List<String> explained = new ArrayList<>();
        if (namespaces.isEmpty()) {
            return explained;
        }
        Deadline deadline = Deadline.after(Duration.ofSeconds(NamespaceCleanup.DIAGNOSIS_SECONDS), hooks.ticker());
        KubeApi api = new KubeApi(client, Duration.ofSeconds(NamespaceCleanup.DIAGNOSIS_SECONDS));
        List<ServedType> types = null;
        String discoveryProblem = null;
        try {
            types = ApiDiscovery.of(client).allServed().stream()
                    .filter(t -> t.namespaced() && t.supports("list"))
                    .toList();
        } catch (RuntimeException e) {
            discoveryProblem = "what remains inside is unknown: discovery failed (" + e.getMessage() + ")";
        }
        for (String namespace : namespaces) {
            List<String> why = new ArrayList<>(conditions(api, namespace, deadline));
            why.add(types == null ? discoveryProblem : contents(namespace, types, deadline));
            explained.add("why: " + String.join("; ", why));
        }
        return explained;
    }

    /** The conditions that hold the namespace, e.g. {@code NamespaceContentRemaining: Some resources are ...}. */
    private static List<String> conditions(KubeApi api, String namespace, Deadline deadline) {
        List<String> found = new ArrayList<>();
        try {
            KubeApi.HttpResult result = api.getNamespace(namespace, deadline);
            JsonObject ns = result.json();
            if (!result.isSuccess() || ns == null) {
                found.add("namespace could not be read (" + result.code() + " " + result.message() + ")");
                return found;
            }
            JsonObject status = object(ns, "status");
            if (status != null
                    && status.has("conditions")
                    && status.get("conditions").isJsonArray()) {
                for (JsonElement c : status.getAsJsonArray("conditions")) {
                    if (c.isJsonObject() && "True".equals(ObjectRef.string(c.getAsJsonObject(), "status"))) {
                        JsonObject condition = c.getAsJsonObject();
                        found.add(ObjectRef.string(condition, "type") + ": "
                                + KubeApi.oneLine(String.valueOf(ObjectRef.string(condition, "message"))));
                    }
                }
            }
            JsonObject spec = object(ns, "spec");
            if (spec != null
                    && spec.has("finalizers")
                    && spec.get("finalizers").isJsonArray()
                    && !spec.getAsJsonArray("finalizers").isEmpty()) {
                found.add("spec.finalizers " + spec.get("finalizers"));
            }
        } catch (IOException e) {
            found.add("namespace could not be read (" + Retrier.describe(e) + ")");
        }
        return found;
    }

    /** What is still inside: type, name and finalizers of the first {@value #MAX_LISTED}, then a count. */
    private String contents(String namespace, List<ServedType> types, Deadline deadline) {
        List<String> listed = new ArrayList<>();
        int more = 0;
        List<String> unreadable = new ArrayList<>();
        for (ServedType type : types) {
            if (deadline.isExpired()) {
                unreadable.add("the diagnosis ran out of time before "
                        + type.toResourceType().qualifiedName());
                break;
            }
            CleanupSpec spec = Cleanup.builder(client, type.toResourceType())
                    .namespace(namespace)
                    .timeout(deadline.remaining())
                    .sleeper(hooks.sleeper())
                    .ticker(hooks.ticker())
                    .build()
                    .spec();
            List<String> here = new ArrayList<>();
            try {
                ScopeScan.scan(
                        spec,
                        client,
                        (ref, labels) -> here.add(type.toResourceType().qualifiedName() + " " + ref.name()
                                + (ref.finalizers().isEmpty() ? "" : " (finalizers " + ref.finalizers() + ")")));
            } catch (CleanupInterruptedException e) {
                unreadable.add("interrupted");
                break;
            } catch (CleanupFailedException e) {
                unreadable.add(type.toResourceType().qualifiedName() + " (" + e.getMessage() + ")");
                continue;
            }
            for (String object : here) {
                if (listed.size() < MAX_LISTED) {
                    listed.add(object);
                } else {
                    more++;
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        if (listed.isEmpty()) {
            sb.append("nothing left inside that this client can list");
        } else {
            sb.append("still inside: ").append(String.join(", ", listed));
            if (more > 0) {
                sb.append(" and ").append(more).append(" more");
            }
        }
        if (!unreadable.isEmpty()) {
            sb.append(" (could not list: ")
                    .append(String.join(", ", unreadable))
                    .append(')');
            LOG.debug("diagnosis of namespace {}: could not list {}", namespace, unreadable);
        }
        return sb.toString();
    }

    private static JsonObject object(JsonObject parent, String field) {
        JsonElement e = parent.get(field);
        return e != null && e.isJsonObject() ? e.getAsJsonObject() : null;
    }
}

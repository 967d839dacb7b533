package dev.kubeteardown.it;

import static dev.kubeteardown.it.ItNamespace.BACKUPS;
import static dev.kubeteardown.it.ItNamespace.backup;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.Outcome;
import dev.kubeteardown.longhorn.BackupCleanup;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import io.kubernetes.client.openapi.apis.RbacAuthorizationV1Api;
import io.kubernetes.client.openapi.models.RbacV1Subject;
import io.kubernetes.client.openapi.models.V1ClusterRole;
import io.kubernetes.client.openapi.models.V1ClusterRoleBinding;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PolicyRule;
import io.kubernetes.client.openapi.models.V1RoleRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Real throttling: API Priority and Fairness on the real server sends a non-admin identity to a priority level of a
 * few seats that rejects what does not fit (429 with {@code Retry-After: 1}). The adaptive default must back off,
 * honour Retry-After and still delete everything.
 */
@ExtendWith({RealApiServerExtension.class, ItTiming.class})
class PriorityAndFairnessIT {

    private static final int OBJECTS = 2_000;
    /** Impersonated by the admin client: APF classifies the impersonated user, and it is not in system:masters. */
    private static final String USER = "kt-throttled";

    /**
     * Of the server's 600 seats, shared with the default levels' 205 shares: ceil(600 x 2 / 207) = 6 seats, fewer
     * than the 8 deletes the adaptive limit starts with, so the first window already meets rejections.
     */
    private static final int SHARES = 2;

    private static final String FLOW_GROUP = "flowcontrol.apiserver.k8s.io";
    private static final String FLOW_VERSION = "v1beta1";
    private static final String LEVELS = "prioritylevelconfigurations";
    private static final String SCHEMAS = "flowschemas";
    private static final Pattern REJECTED = Pattern.compile(
            "^apiserver_flowcontrol_rejected_requests_total\\{[^}]*priority_level=\"" + USER + "\"[^}]*} (\\S+)$",
            Pattern.MULTILINE);
    private static final Pattern SEATS = Pattern.compile(
            "^apiserver_flowcontrol_request_concurrency_limit\\{[^}]*priority_level=\"" + USER + "\"[^}]*} (\\S+)$",
            Pattern.MULTILINE);

    private final RealApiServer server;
    private ItNamespace ns;

    PriorityAndFairnessIT(RealApiServer server) {
        this.server = server;
    }

    @BeforeEach
    void throttle() throws Exception {
        ns = ItNamespace.create(server, "apf");
        ApiClient admin = server.adminClient();
        CustomObjectsApi custom = new CustomObjectsApi(admin);
        custom.createClusterCustomObject(
                        FLOW_GROUP,
                        FLOW_VERSION,
                        LEVELS,
                        Map.of(
                                "apiVersion",
                                FLOW_GROUP + "/" + FLOW_VERSION,
                                "kind",
                                "PriorityLevelConfiguration",
                                "metadata",
                                Map.of("name", USER),
                                "spec",
                                Map.of(
                                        "type",
                                        "Limited",
                                        "limited",
                                        Map.of(
                                                "assuredConcurrencyShares",
                                                SHARES,
                                                "limitResponse",
                                                Map.of("type", "Reject")))))
                .execute();
        custom.createClusterCustomObject(
                        FLOW_GROUP,
                        FLOW_VERSION,
                        SCHEMAS,
                        Map.of(
                                "apiVersion",
                                FLOW_GROUP + "/" + FLOW_VERSION,
                                "kind",
                                "FlowSchema",
                                "metadata",
                                Map.of("name", USER),
                                "spec",
                                Map.of(
                                        "priorityLevelConfiguration", Map.of("name", USER),
                                        "matchingPrecedence", 300,
                                        "distinguisherMethod", Map.of("type", "ByUser"),
                                        "rules",
                                                List.of(Map.of(
                                                        "subjects",
                                                        List.of(Map.of("kind", "User", "user", Map.of("name", USER))),
                                                        "resourceRules",
                                                        List.of(Map.of(
                                                                "verbs", List.of("*"),
                                                                "apiGroups", List.of("*"),
                                                                "resources", List.of("*"),
                                                                "clusterScope", true,
                                                                "namespaces", List.of("*"))))))))
                .execute();
        RbacAuthorizationV1Api rbac = new RbacAuthorizationV1Api(admin);
        rbac.createClusterRole(new V1ClusterRole()
                        .metadata(new V1ObjectMeta().name(USER))
                        .addRulesItem(new V1PolicyRule()
                                .addApiGroupsItem("longhorn.io")
                                .resources(List.of(BACKUPS))
                                .verbs(List.of("get", "list", "watch", "delete"))))
                .execute();
        rbac.createClusterRoleBinding(new V1ClusterRoleBinding()
                        .metadata(new V1ObjectMeta().name(USER))
                        .roleRef(new V1RoleRef()
                                .apiGroup("rbac.authorization.k8s.io")
                                .kind("ClusterRole")
                                .name(USER))
                        .addSubjectsItem(new RbacV1Subject()
                                .apiGroup("rbac.authorization.k8s.io")
                                .kind("User")
                                .name(USER)))
                .execute();
        // APF takes new configuration asynchronously: the schema is digested once it is not dangling, the level
        // once the server reports its seats
        RealApiServer.await("flow schema " + USER + " in use", Duration.ofSeconds(30), () -> {
            Map<?, ?> schema = (Map<?, ?>) custom.getClusterCustomObject(FLOW_GROUP, FLOW_VERSION, SCHEMAS, USER)
                    .execute();
            Object status = schema.get("status");
            if (!(status instanceof Map<?, ?> s) || !(s.get("conditions") instanceof List<?> conditions)) {
                return Optional.empty();
            }
            boolean digested = conditions.stream()
                    .anyMatch(c -> c instanceof Map<?, ?> m
                            && "Dangling".equals(m.get("type"))
                            && "False".equals(m.get("status")));
            return digested && metric(SEATS) > 0 ? Optional.of(true) : Optional.empty();
        });
    }

    @AfterEach
    void unthrottle() throws Exception {
        ApiClient admin = server.adminClient();
        CustomObjectsApi custom = new CustomObjectsApi(admin);
        RbacAuthorizationV1Api rbac = new RbacAuthorizationV1Api(admin);
        List<Exception> failures = new ArrayList<>();
        ignoreMissing(
                failures,
                () -> custom.deleteClusterCustomObject(FLOW_GROUP, FLOW_VERSION, SCHEMAS, USER)
                        .execute());
        ignoreMissing(
                failures,
                () -> custom.deleteClusterCustomObject(FLOW_GROUP, FLOW_VERSION, LEVELS, USER)
                        .execute());
        ignoreMissing(failures, () -> rbac.deleteClusterRoleBinding(USER).execute());
        ignoreMissing(failures, () -> rbac.deleteClusterRole(USER).execute());
        ns.close();
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
    }

    @Test
    @DisplayName("2,000 backups as a throttled identity: real 429s, Retry-After honoured, the adaptive limit went"
            + " down, and every object was deleted")
    void throttledTeardownBacksOffAndFinishesClean() throws Exception {
        List<ItNamespace.BackupSpec> specs = new ArrayList<>();
        for (int i = 0; i < OBJECTS; i++) {
            specs.add(backup(String.format("apf-%04d", i)));
        }
        long t0 = System.nanoTime();
        Set<String> created = ns.createAll(specs, 16).keySet(); // as the admin: exempt from APF
        long createMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(OBJECTS, created.size());

        ApiClient throttled = server.adminClient();
        throttled.addDefaultHeader("Impersonate-User", USER);
        RequestLog log = RequestLog.attachTo(throttled);
        double rejectedBefore = metric(REJECTED);
        long t1 = System.nanoTime();
        CleanupReport report = BackupCleanup.builder(throttled)
                .namespace(ns.name())
                .timeout(Duration.ofSeconds(120))
                .build()
                .execute();
        long cleanupMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1);
        double rejected = metric(REJECTED) - rejectedBefore;

        // the run finished clean: every object deleted (or gone through the list/delete race)
        assertTrue(report.isClean(), report.summary());
        assertEquals(OBJECTS, report.outcomes().size(), report.summary());
        assertEquals(
                OBJECTS,
                report.count(Outcome.Status.DELETED) + report.count(Outcome.Status.ALREADY_GONE),
                report.summary());
        assertEquals(Set.of(), ns.names(BACKUPS));

        // the server really rejected requests of this identity, and the client saw each rejection as a 429
        List<RequestLog.Sent> sent = log.matching(s -> true);
        long seen429 = sent.stream().filter(s -> s.code() == 429).count();
        assertTrue(rejected > 0, "the server rejected nothing for " + USER);
        assertTrue(seen429 > 0, "the client saw no 429");
        assertEquals(rejected, (double) seen429, "every rejection the server counted reached the client as a 429");

        // Retry-After (1 s from APF) honoured: each retry of a rejected delete went out at least a second later
        Map<String, List<RequestLog.Sent>> deletesByName = new TreeMap<>();
        sent.stream()
                .filter(s -> "DELETE".equals(s.method()))
                .forEach(s -> deletesByName
                        .computeIfAbsent(s.lastSegment(), k -> new ArrayList<>())
                        .add(s));
        int retried = 0;
        for (List<RequestLog.Sent> attempts : deletesByName.values()) {
            for (int i = 1; i < attempts.size(); i++) {
                RequestLog.Sent before = attempts.get(i - 1);
                assertEquals(429, before.code(), "only a rejected delete is sent again: " + attempts);
                long gapMillis = TimeUnit.NANOSECONDS.toMillis(attempts.get(i).nanos() - before.nanos());
                assertTrue(gapMillis >= 1000, "retry after " + gapMillis + " ms despite Retry-After: 1: " + attempts);
                retried++;
            }
        }
        assertTrue(retried > 0, "no delete was retried");
        long outcomesRetried = report.outcomes().stream()
                .filter(o -> o.attempts() > 1 && o.detail().contains("429"))
                .count();
        assertTrue(outcomesRetried > 0, "no outcome says it was retried after a 429");

        // the adaptive limit went down, and says so in the report
        CleanupReport.Parallelism p = report.parallelism().orElseThrow();
        assertTrue(p.adaptive(), p.toString());
        assertTrue(p.min() < p.initial(), "the limit never went below where it started: " + p);
        long deletes429 = sent.stream()
                .filter(s -> s.code() == 429 && "DELETE".equals(s.method()))
                .count();
        assertTrue(p.throttled() >= deletes429, "every rejected delete reached the limit: " + p);
        assertTrue(report.toJson().contains("\"parallelism\""), "the JSON report carries the parallelism");

        ItTiming.print(
                "priority and fairness: created %d backups in %d ms; throttled teardown (%.0f seats) in %d ms:"
                        + " %d rejected by the server, %d deletes retried, parallelism %s",
                OBJECTS, createMillis, metric(SEATS), cleanupMillis, (long) rejected, retried, p);
    }

    /** The sum of one metric's samples for {@value #USER}'s priority level (0 when absent), read as the admin. */
    private double metric(Pattern pattern) throws Exception {
        ApiClient admin = server.adminClient();
        Request request = new Request.Builder()
                .url(server.apiUrl() + "/metrics")
                .header("Authorization", "Bearer " + server.adminToken())
                .build();
        try (Response response = admin.getHttpClient().newCall(request).execute()) {
            assertEquals(200, response.code(), "GET /metrics");
            Matcher m = pattern.matcher(response.body().string());
            double sum = 0;
            while (m.find()) {
                sum += Double.parseDouble(m.group(1));
            }
            return sum;
        }
    }

    @FunctionalInterface
    private interface Call {
        void run() throws Exception;
    }

    private static void ignoreMissing(List<Exception> failures, Call call) {
        try {
            call.run();
        } catch (ApiException e) {
            if (e.getCode() != 404) {
                failures.add(e);
            }
        } catch (Exception e) {
            failures.add(e);
        }
    }
}

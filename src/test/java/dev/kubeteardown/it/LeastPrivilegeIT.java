package dev.kubeteardown.it;

import static dev.kubeteardown.it.ItNamespace.API_VERSION;
import static dev.kubeteardown.it.ItNamespace.BACKUPS;
import static dev.kubeteardown.it.ItNamespace.BACKUP_VOLUMES;
import static dev.kubeteardown.it.ItNamespace.GROUP;
import static dev.kubeteardown.it.ItNamespace.VERSION;
import static dev.kubeteardown.it.ItNamespace.backup;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kubeteardown.Cleanup;
import dev.kubeteardown.CleanupConfigurationException;
import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.CleanupStep;
import dev.kubeteardown.NamespaceCleanup;
import dev.kubeteardown.Outcome;
import dev.kubeteardown.RunLabels;
import dev.kubeteardown.StaleRunSweep;
import dev.kubeteardown.longhorn.BackupCleanup;
import dev.kubeteardown.longhorn.BackupstoreCleanup;
import dev.kubeteardown.longhorn.Longhorn;
import dev.kubeteardown.longhorn.LonghornPlans;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AuthorizationV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.RbacAuthorizationV1Api;
import io.kubernetes.client.openapi.models.RbacV1Subject;
import io.kubernetes.client.openapi.models.V1ClusterRole;
import io.kubernetes.client.openapi.models.V1ClusterRoleBinding;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PolicyRule;
import io.kubernetes.client.openapi.models.V1ResourceAttributes;
import io.kubernetes.client.openapi.models.V1Role;
import io.kubernetes.client.openapi.models.V1RoleBinding;
import io.kubernetes.client.openapi.models.V1RoleRef;
import io.kubernetes.client.openapi.models.V1SubjectAccessReview;
import io.kubernetes.client.openapi.models.V1SubjectAccessReviewSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Least privilege, per step: each role of {@code src/test/resources/rbac/} (the YAML the README shows) is bound to a
 * fresh user the admin impersonates, and the step runs clean with exactly that role. Then each verb is taken away in
 * turn: without {@code list} the step cannot start and nothing is deleted, without {@code delete} every object in
 * scope is FAILED naming the verb and the resource and nothing is deleted, and without {@code watch} the step still
 * runs clean (it waits by listing) and its report says that the watch was refused. Decoys out of scope stay intact.
 */
@ExtendWith({RealApiServerExtension.class, ItTiming.class})
class LeastPrivilegeIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String APP = "app";

    private final RealApiServer server;
    private final List<Runnable> clusterCleanup = new ArrayList<>();
    private ItNamespace ns;
    private int round;

    LeastPrivilegeIT(RealApiServer server) {
        this.server = server;
    }

    @BeforeEach
    void createNamespace() throws Exception {
        ns = ItNamespace.create(server, "least");
    }

    @AfterEach
    void cleanUp() throws Exception {
        clusterCleanup.forEach(Runnable::run);
        ns.close();
    }

    // ------------------------------------------------------------------------------------------------
    // the steps

    @Test
    @DisplayName("BackupCleanup needs list, watch, delete on backups (rbac/backup-cleanup.yaml), nothing more")
    void backupCleanup() throws Exception {
        everyVerbMatters(
                "backup-cleanup.yaml",
                false,
                BACKUPS,
                client -> BackupCleanup.builder(client)
                        .namespace(ns.name())
                        .labelSelector(APP + "=" + app())
                        .timeout(TIMEOUT)
                        .build());
    }

    @Test
    @DisplayName(
            "BackupstoreCleanup needs list, watch, delete on backupvolumes (rbac/backupstore-cleanup.yaml), nothing"
                    + " on backups")
    void backupstoreCleanup() throws Exception {
        everyVerbMatters(
                "backupstore-cleanup.yaml",
                false,
                BACKUP_VOLUMES,
                client -> BackupstoreCleanup.builder(client)
                        .namespace(ns.name())
                        .labelSelector(APP + "=" + app())
                        .timeout(TIMEOUT)
                        .build());
    }

    @Test
    @DisplayName("a stale-run sweep of every type needs list, watch, delete on what it sweeps"
            + " (rbac/all-types-sweep.yaml); discovery needs no grant")
    void allTypesSweep() throws Exception {
        String run = "least-" + UUID.randomUUID().toString().substring(0, 6);
        everyVerbMatters(
                "all-types-sweep.yaml",
                false,
                BACKUPS,
                client -> StaleRunSweep.allTypes(client)
                        .namespace(ns.name())
                        .labelSelector(APP + "=" + app())
                        .finishedRuns(Set.of(run + "-" + round))
                        .timeout(TIMEOUT)
                        .build(),
                name -> Map.of(RunLabels.RUN_LABEL, run + "-" + round));
    }

    @Test
    @DisplayName("LonghornPlans.full needs list, watch, delete on its eleven types (rbac/longhorn-full-plan.yaml)")
    void longhornFullPlan() throws Exception {
        server.installCrds(RealApiServer.LONGHORN_FULL_CRDS);
        everyVerbMatters(
                "longhorn-full-plan.yaml",
                false,
                "volumes",
                client -> LonghornPlans.full(client)
                        .namespace(ns.name())
                        .labelSelector(APP + "=" + app())
                        .timeout(TIMEOUT)
                        .build());
    }

    @Test
    @DisplayName("NamespaceCleanup needs list, watch, delete on namespaces (rbac/namespace-cleanup.yaml)")
    void namespaceCleanup() throws Exception {
        assumeTrue(server.hasGarbageCollector(), "no kube-controller-manager: namespaces never finish terminating");
        V1ClusterRole role = load("namespace-cleanup.yaml", V1ClusterRole.class);
        CoreV1Api core = new CoreV1Api(ns.admin());
        for (String without : List.of("", "list", "delete", "watch")) {
            String target = ns.name() + "-ns" + ++round;
            String decoy = ns.name() + "-decoy" + round;
            for (String name : List.of(target, decoy)) {
                core.createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name(name)))
                        .execute();
                clusterCleanup.add(() -> deleteQuietly(core, name));
            }
            ApiClient client = identity(role, true, without);
            CleanupStep step = NamespaceCleanup.builder(client)
                    .names(target)
                    .timeout(TIMEOUT)
                    .build();

            Result result = Result.of(step);

            assertTrue(exists(core, decoy), "decoy namespace " + decoy + " untouched");
            switch (without) {
                case "" -> {
                    assertClean(result, 1);
                    assertTrue(!exists(core, target), target + " gone");
                }
                case "watch" -> {
                    assertClean(result, 1);
                    assertNamed(result.report().notes().toString(), "watch", "namespaces");
                }
                default -> {
                    assertNamed(result.problems(), without, "namespaces");
                    assertNull(
                            core.readNamespace(target).execute().getMetadata().getDeletionTimestamp(),
                            target + " untouched without " + without);
                }
            }
        }
    }

    @Test
    @DisplayName("labelBeforeDelete needs patch as well (rbac/cleanup-with-patch.yaml): without it each object is"
            + " FAILED naming 'patch', nothing deleted")
    void labelBeforeDeleteNeedsPatch() throws Exception {
        V1Role role = load("cleanup-with-patch.yaml", V1Role.class);
        for (String without : List.of("", "patch")) {
            round++;
            Map<String, String> before = seed(BACKUPS, name -> Map.of());
            ApiClient client = identity(role, false, without);
            CleanupStep step = Cleanup.builder(client, Longhorn.backups(VERSION))
                    .namespace(ns.name())
                    .labelSelector(APP + "=" + app())
                    .labelBeforeDelete("kube-teardown.dev/deleted-by", "least-privilege-it")
                    .timeout(TIMEOUT)
                    .build();

            Result result = Result.of(step);

            if (without.isEmpty()) {
                assertClean(result, 2);
                assertEquals(decoys(before), current(BACKUPS), "only the decoys are left");
            } else {
                assertEquals(2, result.report().count(Outcome.Status.FAILED), result.problems());
                assertNamed(result.problems(), "patch", "backups.longhorn.io");
                assertTrue(result.problems().contains("labelling before delete: 403 Forbidden"), result.problems());
                assertUntouched(BACKUPS, before);
            }
        }
    }

    @Test
    @DisplayName("removeFinalizersAfterDeadline needs patch (rbac/cleanup-with-patch.yaml): without it the object is"
            + " STUCK naming 'patch'")
    void finalizerEscapeHatchNeedsPatch() throws Exception {
        V1Role role = load("cleanup-with-patch.yaml", V1Role.class);
        for (String without : List.of("", "patch")) {
            round++;
            String held = "held-" + round;
            ns.create(backup(held).label(APP, app()).finalizer(ItNamespace.FINALIZER));
            ApiClient client = identity(role, false, without);
            CleanupStep step = Cleanup.builder(client, Longhorn.backups(VERSION))
                    .namespace(ns.name())
                    .labelSelector(APP + "=" + app())
                    .timeout(Duration.ofSeconds(3))
                    .removeFinalizersAfterDeadline(Duration.ofSeconds(20))
                    .build();

            Result result = Result.of(step);

            if (without.isEmpty()) {
                assertClean(result, 1);
                assertEquals(Optional.empty(), ns.get(BACKUPS, held), held + " gone");
            } else {
                assertEquals(1, result.report().count(Outcome.Status.STUCK), result.problems());
                assertNamed(result.problems(), "patch", "backups.longhorn.io");
                assertTrue(result.problems().contains("finalizer removal refused: 403 Forbidden"), result.problems());
                assertEquals(
                        List.of(ItNamespace.FINALIZER),
                        ItNamespace.finalizersOf(ns.get(BACKUPS, held).orElseThrow()),
                        "finalizer left in place");
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // one step with its role, then without each verb in turn

    private void everyVerbMatters(
            String file, boolean clusterWide, String plural, Function<ApiClient, CleanupStep> step) throws Exception {
        everyVerbMatters(file, clusterWide, plural, step, name -> Map.of());
    }

    /**
     * Seeds two objects of {@code plural} in scope (label {@code app=<round>} plus {@code extraLabels}) and decoys
     * out of it (other label, other type), runs the step as a user bound to the role of {@code file}, and checks
     * what happened; then again without each of the role's verbs.
     */
    private void everyVerbMatters(
            String file,
            boolean clusterWide,
            String plural,
            Function<ApiClient, CleanupStep> step,
            Function<String, Map<String, String>> extraLabels)
            throws Exception {
        Object role = file.equals("all-types-sweep.yaml") ? load(file, V1ClusterRole.class) : load(file, V1Role.class);
        String resource = plural + "." + GROUP;
        for (String without : List.of("", "list", "delete", "watch")) {
            round++;
            Map<String, String> before = seed(plural, extraLabels);
            String other = plural.equals(BACKUPS) ? BACKUP_VOLUMES : BACKUPS;
            Set<String> otherBefore = current(other);
            ApiClient client = identity(role, clusterWide, without);

            Result result = Result.of(step.apply(client));

            assertEquals(otherBefore, current(other), "other type untouched without " + without);
            switch (without) {
                case "" -> {
                    assertClean(result, 2);
                    assertEquals(decoys(before), current(plural), "only the decoys are left");
                    assertEquals(
                            List.of(), result.report().notes(), result.report().summary());
                }
                case "watch" -> {
                    assertClean(result, 2);
                    assertEquals(decoys(before), current(plural), "only the decoys are left");
                    assertNamed(result.report().notes().toString(), "watch", resource);
                }
                case "list" -> {
                    assertNamed(result.problems(), "list", resource);
                    assertUntouched(plural, before);
                }
                default -> {
                    assertEquals(2, result.report().count(Outcome.Status.FAILED), result.problems());
                    assertNamed(result.problems(), "delete", resource);
                    assertUntouched(plural, before);
                }
            }
        }
    }

    private String app() {
        return "least-" + round;
    }

    /**
     * Creates {@code in-1}, {@code in-2} (in scope) and {@code decoy} (other label) of this round; returns name ->
     * uid of everything of the plural now in the namespace.
     */
    private Map<String, String> seed(String plural, Function<String, Map<String, String>> extraLabels)
            throws Exception {
        for (String name : List.of("in-1-" + round, "in-2-" + round, "decoy-" + round)) {
            Map<String, String> labels = new LinkedHashMap<>(extraLabels.apply(name));
            labels.put(APP, name.startsWith("decoy") ? "decoy" : app());
            switch (plural) {
                case BACKUPS -> ns.create(backup(name).labels(labels));
                case BACKUP_VOLUMES -> ns.createBackupVolume(name, "vol-" + name, List.of(), labels);
                default -> createPlain(plural, name, labels);
            }
        }
        Map<String, String> uids = new LinkedHashMap<>();
        for (Map<String, Object> o : ns.list(plural)) {
            uids.put(ItNamespace.nameOf(o), ItNamespace.uidOf(o));
        }
        return uids;
    }

    private void createPlain(String plural, String name, Map<String, String> labels) throws ApiException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("apiVersion", API_VERSION);
        body.put("kind", "Volume");
        body.put("metadata", Map.of("name", name, "labels", labels));
        ns.api()
                .createNamespacedCustomObject(GROUP, VERSION, ns.name(), plural, body)
                .execute();
    }

    private Set<String> decoys(Map<String, String> before) {
        Set<String> decoys = new TreeSet<>(before.keySet());
        decoys.removeAll(List.of("in-1-" + round, "in-2-" + round));
        return decoys;
    }

    private Set<String> current(String plural) throws ApiException {
        return ns.names(plural);
    }

    private void assertUntouched(String plural, Map<String, String> before) throws ApiException {
        for (Map<String, Object> o : ns.list(plural)) {
            String name = ItNamespace.nameOf(o);
            assertEquals(before.get(name), ItNamespace.uidOf(o), name + " is the same object");
            assertNull(ItNamespace.deletionTimestampOf(o), name + " not being deleted");
        }
        assertEquals(before.keySet(), current(plural), "nothing deleted");
    }

    private static void assertClean(Result result, int deleted) {
        assertTrue(result.report() != null && result.report().isClean(), result.problems());
        assertEquals(
                deleted,
                result.report().count(Outcome.Status.DELETED),
                result.report().table());
    }

    /** The text names the verb and the resource the way every RBAC hint does. */
    private static void assertNamed(String text, String verb, String resource) {
        assertTrue(text.contains("RBAC does not let this client '" + verb + "' " + resource), text);
    }

    /** A step's report, or the configuration error that stopped it before anything was sent. */
    private record Result(CleanupReport report, String problems) {
        static Result of(CleanupStep step) {
            try {
                CleanupReport report = step.execute();
                String problems = report.outcomes().stream()
                                .filter(o -> o.status() == Outcome.Status.FAILED || o.status() == Outcome.Status.STUCK)
                                .map(Outcome::toString)
                                .collect(Collectors.joining("\n"))
                        + "\n" + report.summary();
                return new Result(report, problems);
            } catch (CleanupConfigurationException e) {
                return new Result(e.report(), e.getMessage());
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // roles from the YAML files, bound to a fresh impersonated user

    private static <T> T load(String file, Class<T> type) throws IOException {
        try (InputStream in = LeastPrivilegeIT.class.getResourceAsStream("/rbac/" + file)) {
            String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            Object map = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
            ApiClient json = new ApiClient();
            return json.getJSON().deserialize(json.getJSON().serialize(map), type);
        }
    }

    /**
     * A client of a new user bound to {@code role} less {@code without} (a verb, or "" for none): a Role and
     * RoleBinding in the test namespace, or for a ClusterRole a ClusterRole and a RoleBinding there (a
     * ClusterRoleBinding when {@code clusterWide}). Returns once the server authorizes what the role grants.
     */
    private ApiClient identity(Object role, boolean clusterWide, String without) throws Exception {
        String user = "kt-rbac-" + UUID.randomUUID().toString().substring(0, 8);
        RbacAuthorizationV1Api rbac = new RbacAuthorizationV1Api(ns.admin());
        List<V1PolicyRule> rules;
        String kind;
        if (role instanceof V1Role r) {
            rules = less(r.getRules(), without);
            kind = "Role";
            rbac.createNamespacedRole(
                            ns.name(),
                            new V1Role().metadata(new V1ObjectMeta().name(user)).rules(rules))
                    .execute();
        } else {
            V1ClusterRole r = (V1ClusterRole) role;
            rules = less(r.getRules(), without);
            kind = "ClusterRole";
            rbac.createClusterRole(new V1ClusterRole()
                            .metadata(new V1ObjectMeta().name(user))
                            .rules(rules))
                    .execute();
            clusterCleanup.add(() ->
                    quietly(() -> rbac.deleteClusterRole(user).buildCall(null).execute()));
        }
        V1RoleRef ref =
                new V1RoleRef().apiGroup("rbac.authorization.k8s.io").kind(kind).name(user);
        RbacV1Subject subject = new RbacV1Subject()
                .apiGroup("rbac.authorization.k8s.io")
                .kind("User")
                .name(user);
        if (clusterWide) {
            rbac.createClusterRoleBinding(new V1ClusterRoleBinding()
                            .metadata(new V1ObjectMeta().name(user))
                            .roleRef(ref)
                            .addSubjectsItem(subject))
                    .execute();
            clusterCleanup.add(() -> quietly(
                    () -> rbac.deleteClusterRoleBinding(user).buildCall(null).execute()));
        } else {
            rbac.createNamespacedRoleBinding(
                            ns.name(),
                            new V1RoleBinding()
                                    .metadata(new V1ObjectMeta().name(user))
                                    .roleRef(ref)
                                    .addSubjectsItem(subject))
                    .execute();
        }
        awaitGranted(user, rules, clusterWide);
        ApiClient client = server.adminClient();
        client.addDefaultHeader("Impersonate-User", user);
        return client;
    }

    private static List<V1PolicyRule> less(List<V1PolicyRule> rules, String without) {
        List<V1PolicyRule> kept = new ArrayList<>();
        for (V1PolicyRule rule : rules) {
            List<String> verbs =
                    rule.getVerbs().stream().filter(v -> !v.equals(without)).toList();
            if (!verbs.isEmpty()) {
                kept.add(new V1PolicyRule()
                        .apiGroups(rule.getApiGroups())
                        .resources(rule.getResources())
                        .verbs(verbs));
            }
        }
        return kept;
    }

    /** RBAC reads roles and bindings through informers: wait until the server authorizes each granted verb. */
    private void awaitGranted(String user, List<V1PolicyRule> rules, boolean clusterWide) throws Exception {
        AuthorizationV1Api authorization = new AuthorizationV1Api(ns.admin());
        for (V1PolicyRule rule : rules) {
            String group = rule.getApiGroups().get(0).equals("*")
                    ? GROUP
                    : rule.getApiGroups().get(0);
            String resource = rule.getResources().get(0).equals("*")
                    ? BACKUPS
                    : rule.getResources().get(0);
            for (String verb : rule.getVerbs()) {
                V1ResourceAttributes attributes = new V1ResourceAttributes()
                        .group(group)
                        .resource(resource)
                        .verb(verb)
                        .namespace(clusterWide ? null : ns.name());
                RealApiServer.await(user + " may " + verb + " " + resource, Duration.ofSeconds(20), () -> {
                    V1SubjectAccessReview review = authorization
                            .createSubjectAccessReview(new V1SubjectAccessReview()
                                    .spec(new V1SubjectAccessReviewSpec()
                                            .user(user)
                                            .resourceAttributes(attributes)))
                            .execute();
                    return review.getStatus() != null
                                    && Boolean.TRUE.equals(review.getStatus().getAllowed())
                            ? Optional.of(true)
                            : Optional.empty();
                });
            }
        }
    }

    private static boolean exists(CoreV1Api core, String namespace) throws ApiException {
        try {
            core.readNamespace(namespace).execute();
            return true;
        } catch (ApiException e) {
            if (e.getCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    private static void deleteQuietly(CoreV1Api core, String namespace) {
        quietly(() -> core.deleteNamespace(namespace).buildCall(null).execute());
    }

    @FunctionalInterface
    private interface Call {
        Response run() throws Exception;
    }

    private static void quietly(Call call) {
        try (Response ignored = call.run()) {
            // best effort: the cluster lives for this JVM only
        } catch (Exception e) {
            // already gone, or the server is going down
        }
    }
}

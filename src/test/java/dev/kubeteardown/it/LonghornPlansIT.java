package dev.kubeteardown.it;

import static dev.kubeteardown.it.ItNamespace.FINALIZER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import dev.kubeteardown.ApiDiscovery;
import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.Outcome;
import dev.kubeteardown.ServedType;
import dev.kubeteardown.longhorn.LonghornPlans;
import dev.kubeteardown.sim.LonghornResources;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link LonghornPlans#full} end to end on a real server: first with the 9 CRDs the tier starts with (the plan's
 * other types are not served), then with all 25 Longhorn v1.12 CRDs. Every object carries Longhorn's finalizer
 * (recurring jobs excepted: Longhorn puts none on them), released by a small controller in this test, which also
 * deletes a volume's engines and replicas before it releases the volume, as Longhorn's volume controller does.
 *
 * <p>The order is checked on the server: when a step sends its first request, every object of the earlier steps is
 * gone and every object of the later steps is untouched. The methods run in order: the second installs the full CRDs
 * on this JVM's server, and nothing removes them.
 */
@ExtendWith({RealApiServerExtension.class, ItTiming.class})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LonghornPlansIT {

    /** The full plan's steps, as its Javadoc lists them; an inner list runs in parallel. */
    private static final List<List<String>> STAGES = List.of(
            List.of("volumes"),
            List.of("snapshots"),
            List.of("recurringjobs", "backingimages", "supportbundles", "systemrestores", "orphans"),
            List.of("backupvolumes"),
            List.of("systembackups"),
            List.of("backups"),
            List.of("backupbackingimages"));

    private static final List<String> PLAN_ORDER =
            STAGES.stream().flatMap(List::stream).toList();
    /** Deleted by the volume controller with their volume, not by a step of their own. */
    private static final List<String> VOLUME_PARTS = List.of("engines", "replicas");
    /** The CRDs of {@link RealApiServer#LONGHORN_CRDS}, which the tier installs at start-up. */
    private static final Set<String> SUBSET = Set.of(
            "backups",
            "backupvolumes",
            "backuptargets",
            "backupbackingimages",
            "systembackups",
            "volumes",
            "snapshots",
            "recurringjobs",
            "settings");

    private static final String VOLUME = "volumes-1";

    private final RealApiServer server;
    private ItNamespace ns;
    private final List<String> created = new ArrayList<>();

    LonghornPlansIT(RealApiServer server) {
        this.server = server;
    }

    @BeforeEach
    void createNamespace() throws Exception {
        ns = ItNamespace.create(server, "lhplan");
    }

    @AfterEach
    void deleteNamespace() throws Exception {
        for (String plural : created) { // only left when a test failed: release it so the namespace can go
            for (Map<String, Object> o : ns.list(plural)) {
                if (!ItNamespace.finalizersOf(o).isEmpty()) {
                    ns.removeFinalizers(plural, ItNamespace.nameOf(o));
                }
            }
        }
        ns.close();
    }

    @Test
    @Order(1)
    @DisplayName(
            "only the 9-CRD subset served: the full plan deletes what is served in order; the 4 other types are SKIPPED, clean")
    void subsetOfCrds() throws Exception {
        onlyTheStartUpCrds();
        Set<String> served = servedLonghornTypes();
        assertEquals(new TreeSet<>(SUBSET), served, "the server as it starts (" + RealApiServer.LONGHORN_CRDS + ")");

        CleanupReport report = runFullPlan(served);

        Set<String> notServed =
                PLAN_ORDER.stream().filter(p -> !SUBSET.contains(p)).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of("backingimages", "orphans", "supportbundles", "systemrestores"), notServed);
        assertEquals(7, report.count(Outcome.Status.DELETED), report.table());
        assertEquals(4, report.count(Outcome.Status.SKIPPED), report.table());
        for (CleanupReport step : report.steps()) {
            String plural = pluralOf(step);
            if (notServed.contains(plural)) {
                assertEquals(1, step.outcomes().size(), step.table());
                Outcome skipped = step.outcomes().get(0);
                assertEquals(Outcome.Status.SKIPPED, skipped.status(), skipped.toString());
                assertTrue(skipped.isScopeOutcome());
                assertEquals(404, skipped.httpStatus());
                assertTrue(
                        skipped.detail()
                                .startsWith("resource type " + plural + ".longhorn.io/v1beta2 is not served by the API"
                                        + " server (404 on list"),
                        skipped.detail());
            }
        }
    }

    @Test
    @Order(2)
    @DisplayName(
            "all 25 Longhorn CRDs: the full plan deletes every type in its documented order, engines and replicas with the volume; clean")
    void allCrds() throws Exception {
        server.installCrds(RealApiServer.LONGHORN_FULL_CRDS);
        Set<String> served = servedLonghornTypes();
        assertEquals(25, served.size(), served.toString());

        CleanupReport report = runFullPlan(served);

        assertEquals(11, report.count(Outcome.Status.DELETED), report.table());
        assertEquals(11, report.outcomes().size(), report.table());
    }

    /**
     * Creates one object of every served type of the plan (and an engine and a replica of the volume), runs the full
     * plan with the controller releasing them, and checks what every run checks: step order on the server, one
     * DELETED outcome per created object, nothing left, a clean report.
     */
    private CleanupReport runFullPlan(Set<String> served) throws Exception {
        Map<String, Integer> stageOf = new LinkedHashMap<>();
        for (int i = 0; i < STAGES.size(); i++) {
            for (String plural : STAGES.get(i)) {
                stageOf.put(plural, i);
            }
        }
        VOLUME_PARTS.forEach(part -> stageOf.put(part, 0));
        for (String plural : stageOf.keySet()) {
            if (served.contains(plural)) {
                create(plural);
            }
        }

        ApiClient client = server.adminClient();
        RequestLog log = RequestLog.attachTo(client);
        // plural -> what the server held (plural -> state) when the plan sent its first request for that plural
        Map<String, Map<String, String>> whenStarted = new ConcurrentHashMap<>();
        log.before(request -> {
            List<String> s = request.url().pathSegments();
            if (s.size() >= 6 && s.get(1).equals("longhorn.io") && s.get(3).equals("namespaces")) {
                String plural = s.get(5);
                if (whenStarted.putIfAbsent(plural, Map.of()) == null) {
                    whenStarted.put(plural, states());
                }
            }
        });
        CleanupReport report;
        try (SuiteController controller = new SuiteController(ns, List.copyOf(created))) {
            report = LonghornPlans.full(client)
                    .namespace(ns.name())
                    .timeout(Duration.ofSeconds(60))
                    .build()
                    .execute();
            controller.requireNoErrors();
        }

        assertEquals(List.of(), log.hookFailures());
        assertEquals(
                PLAN_ORDER,
                report.steps().stream().map(LonghornPlansIT::pluralOf).toList(),
                report.table());
        for (String plural : PLAN_ORDER) {
            Map<String, String> states = whenStarted.get(plural);
            assertTrue(states != null && !states.isEmpty(), "the plan sent a request for " + plural);
            for (Map.Entry<String, String> e : states.entrySet()) {
                int mine = stageOf.get(plural);
                int theirs = stageOf.get(e.getKey());
                if (theirs < mine) {
                    assertEquals("gone", e.getValue(), e.getKey() + " when " + plural + " started: " + states);
                } else if (theirs > mine) {
                    assertEquals("untouched", e.getValue(), e.getKey() + " when " + plural + " started: " + states);
                }
            }
        }
        for (CleanupReport step : report.steps()) {
            String plural = pluralOf(step);
            if (served.contains(plural)) {
                assertEquals(1, step.outcomes().size(), step.table());
                Outcome o = step.outcomes().get(0);
                assertEquals(Outcome.Status.DELETED, o.status(), o.toString());
                assertEquals(plural + "-1", o.name());
            }
        }
        for (String plural : created) {
            assertEquals(Set.of(), ns.names(plural), plural + " are all gone");
        }
        assertTrue(report.isClean(), report.table());
        return report;
    }

    /** For each created plural: gone (none left), untouched (all there, none deleting) or what is deleting. */
    private Map<String, String> states() throws ApiException {
        Map<String, String> states = new TreeMap<>();
        for (String plural : created) {
            List<Map<String, Object>> here = ns.list(plural);
            List<String> deleting = here.stream()
                    .filter(o -> ItNamespace.deletionTimestampOf(o) != null)
                    .map(ItNamespace::nameOf)
                    .toList();
            states.put(
                    plural,
                    here.isEmpty()
                            ? "gone"
                            : deleting.isEmpty() && here.size() == 1 ? "untouched" : "deleting " + deleting);
        }
        return states;
    }

    private void create(String plural) throws ApiException {
        Map<String, Object> spec = new LinkedHashMap<>();
        Map<String, String> labels = new LinkedHashMap<>();
        String name = plural + "-1";
        switch (plural) {
            case "engines", "replicas" -> {
                name = VOLUME + "-" + plural.charAt(0) + "-0";
                labels.put("longhornvolume", VOLUME);
                spec.put("volumeName", VOLUME);
            }
            case "snapshots" -> spec.put("volume", VOLUME);
            case "supportbundles" -> spec.put("description", "kube-teardown IT");
            case "systemrestores" -> spec.put("systemBackup", "systembackups-1");
            case "backupbackingimages" -> {
                spec.put("backingImage", "backingimages-1");
                spec.put("userCreated", true);
            }
            default -> {}
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("name", name);
        metadata.put("labels", labels);
        if (!plural.equals("recurringjobs")) {
            metadata.put("finalizers", List.of(FINALIZER));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("apiVersion", ItNamespace.API_VERSION);
        body.put("kind", LonghornResources.byPlural(plural).kind());
        body.put("metadata", metadata);
        body.put("spec", spec);
        ns.api()
                .createNamespacedCustomObject(ItNamespace.GROUP, ItNamespace.VERSION, ns.name(), plural, body)
                .execute();
        created.add(plural);
    }

    /**
     * Deletes the Longhorn CRDs beyond the start-up subset that another class of this JVM installed (the full set, for
     * its own tests), and waits until discovery no longer serves them.
     */
    private void onlyTheStartUpCrds() throws Exception {
        server.deleteCrds(servedLonghornTypes().stream()
                .filter(plural -> !SUBSET.contains(plural))
                .map(plural -> plural + ".longhorn.io")
                .toList());
        RealApiServer.await(
                "only the start-up Longhorn CRDs to be served",
                Duration.ofSeconds(60),
                () -> servedLonghornTypes().equals(new TreeSet<>(SUBSET)) ? Optional.of(true) : Optional.empty());
    }

    private Set<String> servedLonghornTypes() {
        return ApiDiscovery.of(server.adminClient()).allServed().stream()
                .filter(t -> t.group().equals("longhorn.io"))
                .map(ServedType::plural)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** {@code volumes} for a step report of {@code volumes.longhorn.io/v1beta2 ...}. */
    private static String pluralOf(CleanupReport step) {
        return step.resource().substring(0, step.resource().indexOf('.'));
    }

    /**
     * Longhorn's controllers as far as teardown sees them, polling every 100 ms: an object being deleted loses its
     * {@value ItNamespace#FINALIZER} finalizer (a merge patch checked against its resourceVersion; a 409 is retried at
     * the next tick); a volume first has its engines and replicas deleted and is released once they are gone.
     */
    private static final class SuiteController implements AutoCloseable {

        private final ItNamespace ns;
        private final List<String> plurals;
        private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "it-longhorn-suite-controller");
            t.setDaemon(true);
            return t;
        });
        private final List<Throwable> errors = new CopyOnWriteArrayList<>();
        private volatile boolean closed;

        SuiteController(ItNamespace ns, List<String> plurals) {
            this.ns = ns;
            this.plurals = plurals;
            loop.scheduleWithFixedDelay(this::tick, 0, 100, TimeUnit.MILLISECONDS);
        }

        private void tick() {
            try {
                for (String plural : plurals) {
                    for (Map<String, Object> o : ns.list(plural)) {
                        if (closed) {
                            return;
                        }
                        if (ItNamespace.deletionTimestampOf(o) != null
                                && ItNamespace.finalizersOf(o).contains(FINALIZER)
                                && (!plural.equals("volumes") || volumePartsGone(ItNamespace.nameOf(o)))) {
                            release(plural, o);
                        }
                    }
                }
            } catch (ApiException e) {
                if (!closed) {
                    errors.add(new IllegalStateException(
                            "suite controller: HTTP " + e.getCode() + " " + e.getResponseBody(), e));
                }
            } catch (RuntimeException e) {
                if (!closed) {
                    errors.add(e);
                }
            }
        }

        /** Deletes the volume's engines and replicas; true once none is left. */
        private boolean volumePartsGone(String volume) throws ApiException {
            boolean gone = true;
            for (String part : VOLUME_PARTS) {
                if (!plurals.contains(part)) {
                    continue;
                }
                for (Map<String, Object> o : ns.list(part)) {
                    if (volume.equals(ItNamespace.labelsOf(o).get("longhornvolume"))) {
                        gone = false;
                        if (ItNamespace.deletionTimestampOf(o) == null) {
                            ns.delete(part, ItNamespace.nameOf(o));
                        }
                    }
                }
            }
            return gone;
        }

        private void release(String plural, Map<String, Object> o) throws ApiException {
            List<String> remaining = new ArrayList<>(ItNamespace.finalizersOf(o));
            remaining.remove(FINALIZER);
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("resourceVersion", ItNamespace.resourceVersionOf(o));
            meta.put("finalizers", remaining);
            try {
                ns.mergePatch(plural, ItNamespace.nameOf(o), new Gson().toJson(Map.of("metadata", meta)));
            } catch (ApiException e) {
                if (e.getCode() != 404 && e.getCode() != 409) { // gone meanwhile, or changed: next tick
                    throw e;
                }
            }
        }

        void requireNoErrors() {
            if (!errors.isEmpty()) {
                AssertionError e = new AssertionError("suite controller failed: " + errors);
                errors.forEach(e::addSuppressed);
                throw e;
            }
        }

        @Override
        public void close() throws InterruptedException {
            closed = true;
            loop.shutdown();
            if (!loop.awaitTermination(10, TimeUnit.SECONDS)) {
                loop.shutdownNow();
                throw new IllegalStateException("suite controller did not stop within 10 s");
            }
        }
    }
}

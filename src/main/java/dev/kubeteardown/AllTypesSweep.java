package dev.kubeteardown;

import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what killed test runs leaked, whatever its type: every served type that can be listed and deleted (found
 * by {@link ApiDiscovery}, namespaced and cluster-scoped) is searched for objects carrying {@link RunLabels#RUN_LABEL}
 * of a stale run, and those are deleted. Built by {@link StaleRunSweep#allTypes(ApiClient)}:
 *
 * <pre>{@code
 * CleanupReport report = StaleRunSweep.allTypes(client).olderThan(Duration.ofHours(2)).build().run();
 * }</pre>
 *
 * <p>What it touches, and why:
 *
 * <ul>
 *   <li>Only objects with the run label of a stale run: the label is in every list's selector (narrowing the
 *       caller's {@code labelSelector}, never replacing it) and checked again client-side. The current run
 *       ({@link Builder#protectRun}) is never swept.
 *   <li>Never {@code events} (core and {@code events.k8s.io}: records, not something a run created) nor the
 *       {@code extensions} group (on servers that still serve it, it only repeats types served elsewhere, such as
 *       ingresses, and would list the same objects twice). Subresources are never types.
 *   <li>Only roots: an object whose {@code ownerReferences} name (by UID) an object this sweep deletes is not deleted
 *       by it but left to the garbage collector, which removes it once its owner is gone, as it would after
 *       {@code kubectl delete} of the owner. It is reported {@code SKIPPED} with a detail naming the owner, never
 *       counted {@code DELETED}. With {@link PropagationPolicy#ORPHAN} every labelled object is deleted, since its
 *       owner's deletion would leave it behind.
 *   <li>Namespaced types first, then cluster-scoped ones, and last CustomResourceDefinitions and namespaces. A
 *       namespace or CRD labelled with a stale run's label is something that run created, so it is swept; but
 *       deleting it deletes everything in it (labelled or not, as {@code kubectl delete namespace} does), so it goes
 *       after the labelled objects in it have been deleted and reported one by one.
 *   <li>With {@code namespace(...)} only namespaced types in that namespace: a sweep limited to a namespace never
 *       deletes cluster-scoped objects (namespaces included). By default it covers all namespaces and the cluster
 *       scope.
 * </ul>
 *
 * <p>{@link #execute()} returns one report made of steps, one per type that held objects of stale runs (types with
 * none do not appear), in the order they ran; a type that could not be listed (e.g. forbidden) is a {@code FAILED}
 * scope outcome, since what it holds is unknown. {@code timeout(...)} is the deadline of the whole sweep, listing
 * included (default {@value CleanupPlan#DEFAULT_TIMEOUT_SECONDS} s, as a plan's). Instances are immutable and
 * thread-safe; each {@code execute()} discovers the served types afresh.
 */
public final class AllTypesSweep implements CleanupStep {

    /** Types never swept, by {@code plural.group}. */
    static final Set<String> NEVER = Set.of("events", "events.events.k8s.io");
    /** Types swept after all others, in this order: deleting one deletes what it contains. */
    static final List<String> LAST = List.of("customresourcedefinitions.apiextensions.k8s.io", "namespaces");

    private static final Logger LOG = LoggerFactory.getLogger(AllTypesSweep.class);
    // the builder's options are per type; this type only stands in until each served type replaces it
    private static final ResourceType PLACEHOLDER = ResourceType.core("v1", "configmaps");

    private final ApiClient client;
    private final CleanupSpec template;
    private final StaleRuns staleRuns;

    private AllTypesSweep(ApiClient client, CleanupSpec template, StaleRuns staleRuns) {
        this.client = client;
        this.template = template;
        this.staleRuns = staleRuns;
    }

    /** One labelled object found by the scan. */
    private record Found(ResourceType type, ObjectRef ref, String run, Instant started) {}

    /** What the scan found, and the types it could not list (each as a report with a FAILED scope outcome). */
    private record Scan(List<ResourceType> types, List<Found> found, List<CleanupReport> failures) {
        Map<String, Instant> runs() {
            Map<String, Instant> runs = new TreeMap<>();
            found.forEach(f -> runs.merge(f.run(), f.started(), (a, b) -> a.isBefore(b) ? a : b));
            return runs;
        }
    }

    /**
     * The types this sweep lists, in the order it deletes them (asks the server).
     *
     * @throws CleanupConfigurationException when discovery fails
     */
    public List<ResourceType> types() {
        Deadline deadline =
                Deadline.after(template.timing().timeout(), template.hooks().ticker());
        return discover(deadline);
    }

    /**
     * The runs found in scope in any type, by run id, with the earliest start their objects carry ({@link Instant#MAX}
     * when none carries a readable {@link RunLabels#STARTED_LABEL}). Types that cannot be listed are left out (logged).
     */
    public Map<String, Instant> runs() {
        return scan(Deadline.after(template.timing().timeout(), template.hooks().ticker()))
                .runs();
    }

    /** The runs that are stale now. */
    public Set<String> staleRuns() {
        return staleRuns.of(runs(), "every type");
    }

    @Override
    public CleanupReport execute() {
        return executeWithin(template.timing().timeout());
    }

    /** {@link #execute()} with the whole sweep's deadline shortened to {@code budget} when that is shorter. */
    @Override
    public CleanupReport executeWithin(Duration budget) {
        Deadline deadline = Deadline.within(
                template.timing().timeout(), budget, template.hooks().ticker());
        Scan scan = scan(deadline);
        Set<String> stale = new TreeSet<>(staleRuns.of(scan.runs(), "every type"));
        List<CleanupReport> steps = new ArrayList<>(scan.failures());
        if (!stale.isEmpty()) {
            Set<String> swept = new HashSet<>();
            Set<ResourceType> withStale = new LinkedHashSet<>();
            scan.found().stream().filter(f -> stale.contains(f.run())).forEach(f -> {
                swept.add(f.ref().uid());
                withStale.add(f.type());
            });
            LOG.info("Sweeping stale runs {} in {} type(s)", stale, withStale.size());
            LabelSelector ofStaleRuns =
                    LabelSelector.parse(RunLabels.RUN_LABEL + " in (" + String.join(",", stale) + ")");
            Duration left = deadline.remaining();
            CleanupPlan.Builder plan = CleanupPlan.builder(client)
                    .name(description())
                    .timeout(left.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : left)
                    .sleeper(template.hooks().sleeper())
                    .ticker(template.hooks().ticker());
            // in discovery order, which is the deletion order: containers (CRDs, namespaces) last
            scan.types().stream()
                    .filter(withStale::contains)
                    .forEach(type -> plan.step(new TypeStep(
                            template.withType(type).narrowedBy(ofStaleRuns), client, leftToGarbageCollector(swept))));
            steps.addAll(plan.build().execute().steps());
        }
        return CleanupReport.ofSteps(description(), steps, deadline.elapsed());
    }

    @Override
    public String description() {
        return "stale runs of every served type in "
                + (template.scope().namespace() == null
                        ? "all namespaces and cluster scope"
                        : "namespace " + template.scope().namespace());
    }

    @Override
    public String toString() {
        return "AllTypesSweep[" + description() + "]";
    }

    /**
     * Why an object is left to the garbage collector: an owner of it is deleted by this sweep; {@code null} (delete
     * it) otherwise, and always when deletes orphan dependents.
     */
    private Function<ObjectRef, String> leftToGarbageCollector(Set<String> swept) {
        if (template.delete().propagation() == PropagationPolicy.ORPHAN) {
            return ref -> null;
        }
        boolean dryRun = template.dryRun() != DryRun.OFF;
        return ref -> ref.owners().stream()
                .filter(owner -> swept.contains(owner.uid()))
                .findFirst()
                .map(owner -> (dryRun ? "dry run: " : "")
                        + "left to the garbage collector: owned by " + owner + ", which this sweep "
                        + (dryRun ? "would delete" : "deletes"))
                .orElse(null);
    }

    private Scan scan(Deadline deadline) {
        List<ResourceType> types = discover(deadline);
        List<Found> found = new ArrayList<>();
        List<CleanupReport> failures = new ArrayList<>();
        LabelSelector labelled = LabelSelector.parse(RunLabels.RUN_LABEL);
        for (ResourceType type : types) {
            if (deadline.isExpired()) {
                String detail =
                        "not listed: the sweep's deadline (" + template.timing().timeout() + ") had passed";
                failures.add(new CleanupReport(
                        type.toString(),
                        template.scopeDescription(),
                        List.of(Outcome.forScope(type.qualifiedName(), null, Outcome.Status.FAILED, detail, 0)),
                        Duration.ZERO));
                continue;
            }
            CleanupSpec spec = template.withType(type).narrowedBy(labelled).withTimeoutAtMost(deadline.remaining());
            try {
                ScopeScan.scan(
                        spec,
                        client,
                        (ref, labels) -> found.add(
                                new Found(type, ref, labels.get(RunLabels.RUN_LABEL), StaleRunSweep.started(labels))));
            } catch (CleanupInterruptedException e) {
                throw e;
            } catch (CleanupFailedException e) {
                // what this type holds is unknown: say so in the report rather than stop the other types
                LOG.warn("Cannot sweep {}: {}", type.qualifiedName(), e.getMessage());
                failures.add(e.report());
            }
        }
        return new Scan(types, found, failures);
    }

    private List<ResourceType> discover(Deadline deadline) {
        ApiDiscovery discovery = ApiDiscovery.of(client);
        try {
            discovery.invalidate(); // CRDs installed or removed since the last look are exactly what a sweep is about
            return sweptTypes(discovery.allServed(), template.scope().namespace() == null);
        } catch (KubeTeardownException e) {
            String message = "cannot discover the served types: " + e.getMessage();
            CleanupReport report = new CleanupReport(
                    description(),
                    template.scopeDescription(),
                    List.of(Outcome.forScope("every type", null, Outcome.Status.FAILED, message, 0)),
                    deadline.elapsed());
            throw new CleanupConfigurationException(report, message);
        }
    }

    /**
     * The types a sweep covers, in the order it deletes them: deletable ones (list and delete) except {@link #NEVER}
     * and the {@code extensions} group; namespaced types first, then cluster-scoped ones (only when
     * {@code clusterScoped}), {@link #LAST} at the end.
     */
    static List<ResourceType> sweptTypes(List<ServedType> served, boolean clusterScoped) {
        List<ServedType> candidates = served.stream()
                .filter(t -> t.supports("list", "delete"))
                .filter(t -> !NEVER.contains(t.qualifiedName()) && !t.group().equals("extensions"))
                .filter(t -> clusterScoped || t.namespaced())
                .toList();
        Stream<ServedType> namespaced =
                candidates.stream().filter(t -> t.namespaced() && !LAST.contains(t.qualifiedName()));
        Stream<ServedType> cluster =
                candidates.stream().filter(t -> !t.namespaced() && !LAST.contains(t.qualifiedName()));
        Stream<ServedType> last = LAST.stream()
                .flatMap(name ->
                        candidates.stream().filter(t -> t.qualifiedName().equals(name)));
        return Stream.of(namespaced, cluster, last)
                .flatMap(s -> s)
                .map(ServedType::toResourceType)
                .toList();
    }

    /** One type of the sweep: an engine run narrowed to the stale runs, leaving owned objects to the collector. */
    private record TypeStep(CleanupSpec spec, ApiClient client, Function<ObjectRef, String> leftAlone)
            implements CleanupStep {

        @Override
        public CleanupReport execute() {
            return CleanupRun.execute(spec, client, leftAlone);
        }

        @Override
        public CleanupReport executeWithin(Duration budget) {
            return CleanupRun.execute(spec.withTimeoutAtMost(budget), client, leftAlone);
        }

        @Override
        public String description() {
            return spec.description();
        }
    }

    /** Options of an all-types sweep: every cleanup option (applied to each type), plus which runs are stale. */
    public static final class Builder extends SweepBuilder<Builder> {

        Builder(ApiClient client) {
            super(client, PLACEHOLDER, null);
            timeout(Duration.ofSeconds(CleanupPlan.DEFAULT_TIMEOUT_SECONDS));
        }

        /** Checks the options (naming any bad value) and builds an immutable, reusable sweep. */
        public AllTypesSweep build() {
            return new AllTypesSweep(client(), spec(), staleRuns());
        }
    }
}

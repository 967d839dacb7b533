package dev.kubeteardown.reliability;

import dev.kubeteardown.Backoff;
import dev.kubeteardown.Cleanup;
import dev.kubeteardown.CleanupListener;
import dev.kubeteardown.DryRun;
import dev.kubeteardown.PropagationPolicy;
import dev.kubeteardown.ResourceType;
import dev.kubeteardown.WaitStrategy;
import dev.kubeteardown.sim.FaultPlan;
import dev.kubeteardown.sim.NotFoundBody;
import dev.kubeteardown.sim.Verb;
import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Everything one seeded run is made of, drawn from the seed alone: the objects (namespaces, labels, finalizers and
 * when they are released), the scope, the engine's options and the fault plan. Same seed, same scenario; only
 * thread timing differs between two runs of it.
 */
final class Scenario {

    /** The finalizer the test's own controller ({@link ClusterObserver}) owns. */
    static final String HOLD = "reliability.kubeteardown.dev/hold";
    /** Longhorn's finalizer, released by the simulator's controller after its remote delete delay. */
    static final String LONGHORN = "longhorn.io";
    /** The label the engine may put on objects before deleting them; outside every selector's keys. */
    static final String DELETING_LABEL = "kubeteardown.dev/deleting";

    static final ResourceType BACKUPS = ResourceType.namespaced("longhorn.io", "v1beta2", "backups");
    static final List<String> NAMESPACES = List.of("ns-a", "ns-b", "ns-c");

    /**
     * One seeded object.
     *
     * @param holdDelay   when {@link #HOLD} is among the finalizers: how long after the delete the controller releases
     *                    it; {@code null} for never
     * @param preDeleting deleted by "someone else" before the run, so listed with a deletionTimestamp
     */
    record SeedObject(
            String namespace,
            String name,
            Map<String, String> labels,
            List<String> finalizers,
            Duration holdDelay,
            boolean preDeleting) {

        String key() {
            return namespace + "/" + name;
        }
    }

    /** One label requirement, kept as data so that the test judges scope without the engine's parser. */
    record Requirement(String key, String op, List<String> values) {

        boolean matches(Map<String, String> labels) {
            String actual = labels.get(key);
            switch (op) {
                case "=":
                    return values.get(0).equals(actual);
                case "!=":
                    return !values.get(0).equals(actual);
                case "in":
                    return actual != null && values.contains(actual);
                case "notin":
                    return actual == null || !values.contains(actual);
                case "exists":
                    return actual != null;
                case "!exists":
                    return actual == null;
                case ">":
                    return actual != null && isLong(actual) && Long.parseLong(actual) > Long.parseLong(values.get(0));
                case "<":
                    return actual != null && isLong(actual) && Long.parseLong(actual) < Long.parseLong(values.get(0));
                default:
                    throw new AssertionError(op);
            }
        }

        @Override
        public String toString() {
            switch (op) {
                case "in":
                case "notin":
                    return key + " " + op + " (" + String.join(",", values) + ")";
                case "exists":
                    return key;
                case "!exists":
                    return "!" + key;
                default:
                    return key + op + values.get(0);
            }
        }

        private static boolean isLong(String s) {
            try {
                Long.parseLong(s);
                return true;
            } catch (NumberFormatException e) {
                return false;
            }
        }
    }

    /** A field requirement on {@code metadata.name} or {@code metadata.namespace}. */
    record FieldRequirement(String field, boolean equal, String value) {

        boolean matches(String namespace, String name) {
            return value.equals(field.equals("metadata.name") ? name : namespace) == equal;
        }

        @Override
        public String toString() {
            return field + (equal ? "=" : "!=") + value;
        }
    }

    final long seed;
    final List<String> namespaces;
    final List<SeedObject> objects;
    final Set<String> stuckNames;
    final Duration remoteDeleteDelay;

    final String scopeNamespace;
    final List<Requirement> labels;
    final List<FieldRequirement> fields;
    final boolean evenNamesOnly;

    final int parallelism;
    final int pageSize;
    final WaitStrategy waitStrategy;
    final Duration timeout;
    final Duration requestTimeout;
    final Backoff backoff;
    final DryRun dryRun;
    final PropagationPolicy propagation;
    final Duration gracePeriod;
    final boolean labelBeforeDelete;
    /** The label key and value put before delete: {@link #DELETING_LABEL}, or (known bug) one that leaves the scope. */
    final String[] beforeDeleteLabel;

    final Duration removeFinalizersAfterDeadline;
    final boolean useRun;

    /** Store events kept for watch resumption; 0 for the simulator's default. */
    final int watchHistory;

    final FaultPlan faults;
    final String faultText;

    private Scenario(long seed) {
        this.seed = seed;
        SplittableRandom r = new SplittableRandom(seed);
        namespaces = List.copyOf(NAMESPACES.subList(0, 2 + r.nextInt(2)));

        // engine options first: object release delays are drawn relative to the timeout
        timeout = Duration.ofMillis(r.nextInt(10) < 6 ? 500 + r.nextInt(1000) : 1500 + r.nextInt(1501));
        requestTimeout = Duration.ofMillis(Math.min(timeout.toMillis(), 100 + r.nextInt(700)));
        parallelism = 1 + r.nextInt(16);
        pageSize = 2 + r.nextInt(49);
        waitStrategy = r.nextBoolean() ? WaitStrategy.WATCH : WaitStrategy.POLL;
        backoff = r.nextBoolean()
                ? Backoff.DEFAULT
                : new Backoff(
                        Duration.ofMillis(5 + r.nextInt(95)),
                        Duration.ofMillis(100 + r.nextInt(900)),
                        r.nextDouble() * 0.5,
                        1 + r.nextInt(8));
        int dry = r.nextInt(100);
        dryRun = dry < 7 ? DryRun.CLIENT : dry < 12 ? DryRun.SERVER : DryRun.OFF;
        propagation = PropagationPolicy.values()[r.nextInt(PropagationPolicy.values().length)];
        gracePeriod = r.nextInt(5) == 0 ? Duration.ZERO : null;
        labelBeforeDelete = r.nextInt(100) < 12;
        removeFinalizersAfterDeadline = r.nextInt(100) < 8 ? Duration.ofMillis(300 + r.nextInt(700)) : null;
        useRun = r.nextBoolean();

        // objects
        boolean neverReleases = r.nextInt(100) < 35;
        remoteDeleteDelay = Duration.ofMillis(r.nextInt(300));
        Set<String> stuck = new LinkedHashSet<>();
        int count = r.nextInt(20) == 0 ? 0 : 1 + r.nextInt(60);
        List<SeedObject> seeded = new ArrayList<>();
        Set<String> keys = new LinkedHashSet<>();
        for (int i = 0; i < count; i++) {
            String ns = namespaces.get(r.nextInt(namespaces.size()));
            String name = "b-" + r.nextInt(Math.max(8, count));
            if (!keys.add(ns + "/" + name)) {
                continue;
            }
            Map<String, String> l = new LinkedHashMap<>();
            pick(r, l, "app", 4, "web", "db", "cache");
            pick(r, l, "tier", 4, "1", "2", "3");
            pick(r, l, "team", 3, "x", "y");
            if (r.nextInt(4) == 0) {
                l.put("keep", "true");
            }
            List<String> f = new ArrayList<>();
            Duration hold = null;
            int kind = r.nextInt(100);
            if (kind < 20) {
                f.add(LONGHORN);
                if (neverReleases && r.nextInt(4) == 0) {
                    stuck.add(name);
                }
            } else if (kind < 55) {
                f.add(HOLD);
                int when = r.nextInt(100);
                if (neverReleases && when < 15) {
                    hold = null;
                } else if (when < 80) {
                    hold = Duration.ofMillis(r.nextLong(Math.max(1, timeout.toMillis() / 2)));
                } else {
                    hold = Duration.ofMillis(timeout.toMillis() / 2 + r.nextLong(timeout.toMillis()));
                }
                if (r.nextInt(5) == 0) {
                    f.add(LONGHORN);
                }
            }
            boolean preDeleting = !f.isEmpty() && r.nextInt(100) < 6;
            seeded.add(new SeedObject(ns, name, Map.copyOf(l), List.copyOf(f), hold, preDeleting));
        }
        objects = List.copyOf(seeded);
        // a name stuck for Longhorn is stuck in every namespace; only objects with its finalizer are affected
        stuckNames = Set.copyOf(stuck);

        // scope
        int where = r.nextInt(100);
        scopeNamespace = where < 25 ? null : where < 28 ? "ns-missing" : namespaces.get(r.nextInt(namespaces.size()));
        labels = labelSelector(r);
        List<FieldRequirement> f = new ArrayList<>();
        if (r.nextInt(100) < 10 && !objects.isEmpty()) {
            f.add(new FieldRequirement(
                    "metadata.name",
                    r.nextInt(3) == 0,
                    objects.get(r.nextInt(objects.size())).name()));
        }
        if (r.nextInt(100) < 5) {
            f.add(new FieldRequirement("metadata.namespace", false, namespaces.get(r.nextInt(namespaces.size()))));
        }
        fields = List.copyOf(f);
        evenNamesOnly = r.nextInt(100) < 10;
        // sometimes the label put before delete takes the object out of the selector (it is still there)
        boolean leaveScope = labelBeforeDelete && !labels.isEmpty() && r.nextInt(3) == 0;
        Requirement exit = labels.isEmpty() ? null : labels.get(0);
        beforeDeleteLabel =
                leaveScope ? new String[] {exit.key(), exitValue(exit)} : new String[] {DELETING_LABEL, "true"};

        // a short watch history makes the engine's watch resume with 410 Expired (its resync path)
        watchHistory = r.nextInt(100) < 10 ? 1 + r.nextInt(20) : 0;

        // faults
        StringBuilder text = new StringBuilder();
        faults = faults(r, text);
        faultText = text.toString();
    }

    static Scenario of(long seed) {
        return new Scenario(seed);
    }

    /** A value for the requirement's key that the requirement does not match (a value of the same domain). */
    private static String exitValue(Requirement req) {
        for (String candidate : List.of("web", "db", "cache", "1", "2", "3", "x", "y", "true", "gone", "0")) {
            if (!req.matches(Map.of(req.key(), candidate))) {
                return candidate;
            }
        }
        return "gone";
    }

    private static void pick(
            SplittableRandom r, Map<String, String> labels, String key, int absentOneIn, String... values) {
        if (r.nextInt(absentOneIn) != 0) {
            labels.put(key, values[r.nextInt(values.length)]);
        }
    }

    private static List<Requirement> labelSelector(SplittableRandom r) {
        List<Requirement> reqs = new ArrayList<>();
        int n = r.nextInt(100) < 30 ? 0 : 1 + r.nextInt(3);
        List<String> keys = new ArrayList<>(List.of("app", "tier", "team", "keep"));
        for (int i = 0; i < n && !keys.isEmpty(); i++) {
            String key = keys.remove(r.nextInt(keys.size()));
            List<String> domain = switch (key) {
                case "app" -> List.of("web", "db", "cache");
                case "tier" -> List.of("1", "2", "3");
                case "team" -> List.of("x", "y");
                default -> List.of("true");
            };
            int op = r.nextInt(key.equals("tier") ? 8 : 6);
            switch (op) {
                case 0 -> reqs.add(new Requirement(key, "=", List.of(domain.get(r.nextInt(domain.size())))));
                case 1 -> reqs.add(new Requirement(key, "!=", List.of(domain.get(r.nextInt(domain.size())))));
                case 2 -> reqs.add(new Requirement(key, "in", subset(r, domain)));
                case 3 -> reqs.add(new Requirement(key, "notin", subset(r, domain)));
                case 4 -> reqs.add(new Requirement(key, "exists", List.of()));
                case 5 -> reqs.add(new Requirement(key, "!exists", List.of()));
                case 6 -> reqs.add(new Requirement(key, ">", List.of(Integer.toString(r.nextInt(3)))));
                default -> reqs.add(new Requirement(key, "<", List.of(Integer.toString(2 + r.nextInt(3)))));
            }
        }
        return List.copyOf(reqs);
    }

    private static List<String> subset(SplittableRandom r, List<String> domain) {
        List<String> values = new ArrayList<>();
        for (String v : domain) {
            if (r.nextBoolean()) {
                values.add(v);
            }
        }
        if (values.isEmpty()) {
            values.add(domain.get(r.nextInt(domain.size())));
        }
        return values;
    }

    private FaultPlan faults(SplittableRandom r, StringBuilder text) {
        FaultPlan.Builder plan = FaultPlan.builder().seed(seed);
        int profile = r.nextInt(100);
        if (profile < 8) {
            text.append("none");
            return plan.build();
        }
        double scale = profile < 50 ? 0.4 : profile < 90 ? 1.0 : 1.8;
        int[] codes = {500, 502, 503, 504, 429};
        // DELETE of backups
        FaultPlan.RuleBuilder delete = plan.on(Verb.DELETE, "backups");
        int code = codes[r.nextInt(codes.length)];
        double rate = clamp(r.nextDouble() * 0.3 * scale);
        delete.errorRate(code, rate);
        text.append(String.format(Locale.ROOT, "DELETE: %d@%.2f", code, rate));
        if ((code == 429 || code == 503) && r.nextInt(4) != 0) {
            // whole seconds (the simulator's unit), often beyond the deadline: the engine must give up, not sleep
            Duration after = Duration.ofSeconds(1 + r.nextInt(3));
            delete.retryAfter(after);
            text.append(" Retry-After ").append(after.toSeconds()).append("s");
        }
        rate = clamp(r.nextDouble() * 0.15 * scale);
        delete.disconnectRate(rate);
        text.append(String.format(Locale.ROOT, ", reset@%.2f", rate));
        rate = clamp(r.nextDouble() * 0.1 * scale);
        Duration slow = requestTimeout.plusMillis(50 + r.nextInt(500));
        delete.slowRate(rate, slow);
        text.append(String.format(Locale.ROOT, ", slow@%.2f(%d ms)", rate, slow.toMillis()));
        rate = clamp(r.nextDouble() * 0.1 * scale);
        NotFoundBody body = r.nextBoolean() ? NotFoundBody.STATUS : NotFoundBody.EMPTY;
        delete.notFoundRace(rate, body);
        text.append(String.format(Locale.ROOT, ", 404race@%.2f(%s)", rate, body));
        rate = clamp(r.nextDouble() * 0.1 * scale);
        delete.recreateRace(rate);
        text.append(String.format(Locale.ROOT, ", recreate@%.2f", rate));
        if (r.nextInt(4) == 0) {
            Duration latency = Duration.ofMillis(r.nextInt(40));
            delete.latency(latency);
            text.append(", latency ").append(latency.toMillis()).append(" ms");
        }
        if (r.nextInt(5) == 0) {
            int first = 1 + r.nextInt(3);
            delete.firstAttempts(first);
            text.append(", first ").append(first).append(" attempts only");
        }
        // LIST of backups
        FaultPlan.RuleBuilder list = plan.on(Verb.LIST, "backups");
        code = codes[r.nextInt(codes.length)];
        rate = clamp(r.nextDouble() * 0.15 * scale);
        list.errorRate(code, rate);
        text.append(String.format(Locale.ROOT, "; LIST: %d@%.2f", code, rate));
        if ((code == 429 || code == 503) && r.nextInt(3) == 0) {
            Duration after = Duration.ofSeconds(1 + r.nextInt(3));
            list.retryAfter(after);
            text.append(" Retry-After ").append(after.toSeconds()).append("s");
        }
        rate = clamp(r.nextDouble() * 0.05 * scale);
        list.disconnectRate(rate);
        text.append(String.format(Locale.ROOT, ", reset@%.2f", rate));
        rate = clamp(r.nextDouble() * 0.05 * scale);
        slow = requestTimeout.plusMillis(50 + r.nextInt(300));
        list.slowRate(rate, slow);
        text.append(String.format(Locale.ROOT, ", slow@%.2f(%d ms)", rate, slow.toMillis()));
        rate = clamp(r.nextDouble() * 0.4 * scale);
        list.expiredContinueRate(rate);
        text.append(String.format(Locale.ROOT, ", 410continue@%.2f", rate));
        if (r.nextInt(3) == 0) {
            Duration latency = Duration.ofMillis(r.nextInt(20));
            list.latency(latency);
            text.append(", latency ").append(latency.toMillis()).append(" ms");
        }
        // WATCH of backups (the test's own watch is open before the plan is installed)
        FaultPlan.RuleBuilder watch = plan.on(Verb.WATCH, "backups");
        rate = clamp(r.nextDouble() * 0.3 * scale);
        watch.errorRate(500, rate);
        double reset = clamp(r.nextDouble() * 0.3 * scale);
        watch.disconnectRate(reset);
        text.append(String.format(Locale.ROOT, "; WATCH: 500@%.2f, reset@%.2f", rate, reset));
        // PATCH: only error statuses (the test's controller patches too, and retries them)
        if (labelBeforeDelete || removeFinalizersAfterDeadline != null) {
            code = codes[r.nextInt(codes.length)];
            rate = clamp(r.nextDouble() * 0.2 * scale);
            plan.on(Verb.PATCH, "backups").errorRate(code, rate);
            text.append(String.format(Locale.ROOT, "; PATCH: %d@%.2f", code, rate));
        }
        int refusal = r.nextInt(100);
        if (refusal < 3) {
            plan.forbid(Verb.DELETE, "backups");
            text.append("; DELETE forbidden");
        } else if (refusal < 5) {
            plan.unauthorized(Verb.DELETE, "backups");
            text.append("; DELETE unauthorized");
        }
        return plan.build();
    }

    private static double clamp(double rate) {
        return Math.max(0, Math.min(1, rate));
    }

    // ---- scope, as the test judges it ----

    String labelSelector() {
        return labels.stream().map(Requirement::toString).collect(Collectors.joining(","));
    }

    String fieldSelector() {
        return fields.stream().map(FieldRequirement::toString).collect(Collectors.joining(","));
    }

    Predicate<String> nameFilter() {
        return name -> (name.charAt(name.length() - 1) - '0') % 2 == 0;
    }

    boolean inScope(String namespace, String name, Map<String, String> objectLabels) {
        if (scopeNamespace != null && !scopeNamespace.equals(namespace)) {
            return false;
        }
        for (Requirement req : labels) {
            if (!req.matches(objectLabels)) {
                return false;
            }
        }
        for (FieldRequirement req : fields) {
            if (!req.matches(namespace, name)) {
                return false;
            }
        }
        return !evenNamesOnly || nameFilter().test(name);
    }

    /** For the controller: when to release the hold finalizer of this object; null for never (or no hold). */
    Duration holdDelay(String namespace, String name) {
        for (SeedObject o : objects) {
            if (o.namespace().equals(namespace) && o.name().equals(name)) {
                return o.holdDelay();
            }
        }
        return null;
    }

    /** The longest the run may take: the deadline, the escape hatch's grace, the final look, and slack. */
    Duration bound() {
        // the final look (at most 2 s) plus 3 s of slack: ten scenarios share two cores, and a real hang is unbounded
        Duration b = timeout.plusSeconds(5);
        return removeFinalizersAfterDeadline == null
                ? b
                : b.plus(removeFinalizersAfterDeadline).plusSeconds(2);
    }

    Cleanup build(ApiClient client, CleanupListener listener) {
        Cleanup.Builder b = Cleanup.builder(client, BACKUPS);
        if (scopeNamespace == null) {
            b.allNamespaces();
        } else {
            b.namespace(scopeNamespace);
        }
        if (!labels.isEmpty()) {
            b.labelSelector(labelSelector());
        }
        if (!fields.isEmpty()) {
            b.fieldSelector(fieldSelector());
        }
        if (evenNamesOnly) {
            b.names(nameFilter());
        }
        b.timeout(timeout)
                .requestTimeout(requestTimeout)
                .parallelism(parallelism)
                .pageSize(pageSize)
                .waitStrategy(waitStrategy)
                .backoff(backoff)
                .dryRun(dryRun)
                .propagationPolicy(propagation)
                .listener(listener);
        if (gracePeriod != null) {
            b.gracePeriod(gracePeriod);
        }
        if (labelBeforeDelete) {
            b.labelBeforeDelete(beforeDeleteLabel[0], beforeDeleteLabel[1]);
        }
        if (removeFinalizersAfterDeadline != null) {
            b.removeFinalizersAfterDeadline(removeFinalizersAfterDeadline);
        }
        return b.build();
    }

    /** A compact description, printed with a failing seed. */
    String describe() {
        long held = objects.stream().filter(o -> o.finalizers().contains(HOLD)).count();
        long never = objects.stream()
                .filter(o -> o.finalizers().contains(HOLD) && o.holdDelay() == null)
                .count();
        long longhorn =
                objects.stream().filter(o -> o.finalizers().contains(LONGHORN)).count();
        long pre = objects.stream().filter(SeedObject::preDeleting).count();
        return String.format(
                Locale.ROOT,
                "seed %d: %d objects in %s (hold %d of which never %d, longhorn %d, stuck names %s,"
                        + " pre-deleting %d, remote delay %d ms)%n  scope: %s%s%s%s%n  options: timeout %d ms, request %d ms,"
                        + " parallelism %d, page %d, %s, backoff %s, dryRun %s, %s%s%s%s, via %s%n  faults: %s",
                seed,
                objects.size(),
                namespaces,
                held,
                never,
                longhorn,
                stuckNames,
                pre,
                remoteDeleteDelay.toMillis(),
                scopeNamespace == null ? "all namespaces" : "namespace " + scopeNamespace,
                labels.isEmpty() ? "" : ", labels " + labelSelector(),
                fields.isEmpty() ? "" : ", fields " + fieldSelector(),
                evenNamesOnly ? ", even names only" : "",
                timeout.toMillis(),
                requestTimeout.toMillis(),
                parallelism,
                pageSize,
                waitStrategy,
                backoff.equals(Backoff.DEFAULT) ? "default" : backoff,
                dryRun,
                propagation,
                gracePeriod == null ? "" : ", grace 0",
                labelBeforeDelete
                        ? ", label " + beforeDeleteLabel[0] + "=" + beforeDeleteLabel[1] + " before delete"
                        : "",
                removeFinalizersAfterDeadline == null
                        ? ""
                        : ", remove finalizers after deadline (grace " + removeFinalizersAfterDeadline.toMillis()
                                + " ms)",
                useRun ? "run()" : "execute()",
                faultText,
                watchHistory == 0 ? "" : "; watch history " + watchHistory + " events (resume gets 410)");
    }
}

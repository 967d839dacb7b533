package dev.kubeteardown.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Applies one {@link FaultPlan} to requests. Keeps the per-object attempt counters that make decisions
 * independent of thread interleaving; a new plan gets a new injector, so counters start over.
 */
final class FaultInjector {

    /**
     * What to do with one request.
     *
     * @param terminal the fault that replaces or precedes normal processing, or null
     * @param delay total response delay
     * @param fired every fault kind that fired, for the counters
     */
    record Decision(FaultPlan.Effect terminal, Duration delay, List<FaultKind> fired) {
        static final Decision NONE = new Decision(null, Duration.ZERO, List.of());
    }

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private final FaultPlan plan;
    private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();

    FaultInjector(FaultPlan plan) {
        this.plan = plan;
    }

    FaultPlan plan() {
        return plan;
    }

    Decision decide(RequestInfo request) {
        if (plan.rules().isEmpty()) {
            return Decision.NONE;
        }
        String objectKey = request.namespace() + "/" + (request.name() == null ? "" : request.name());
        String attemptKey = request.verb() + " " + request.resource() + " " + objectKey;
        int attempt =
                attempts.computeIfAbsent(attemptKey, k -> new AtomicInteger()).incrementAndGet();
        long base = mix(plan.seed() ^ hash(attemptKey) ^ ((long) attempt * GOLDEN));
        FaultPlan.Effect terminal = null;
        Duration delay = Duration.ZERO;
        List<FaultKind> fired = new ArrayList<>(1);
        List<FaultPlan.Rule> rules = plan.rules();
        for (int r = 0; r < rules.size(); r++) {
            FaultPlan.Rule rule = rules.get(r);
            if (!rule.matches(request.verb(), request.resource())
                    || (rule.firstAttempts() > 0 && attempt > rule.firstAttempts())) {
                continue;
            }
            List<FaultPlan.Effect> effects = rule.effects();
            for (int e = 0; e < effects.size(); e++) {
                FaultPlan.Effect effect = effects.get(e);
                if (!applicable(effect.kind(), request) || (!effect.delays() && terminal != null)) {
                    continue;
                }
                double draw = (mix(base + (r + 1L) * GOLDEN * 31 + (e + 1L) * GOLDEN) >>> 11) * 0x1.0p-53;
                if (draw >= effect.rate()) {
                    continue;
                }
                fired.add(effect.kind());
                if (effect.delays()) {
                    delay = delay.plus(effect.delay());
                } else {
                    terminal = effect;
                }
            }
        }
        return fired.isEmpty() ? Decision.NONE : new Decision(terminal, delay, List.copyOf(fired));
    }

    private static boolean applicable(FaultKind kind, RequestInfo request) {
        return switch (kind) {
            case NOT_FOUND_RACE, RECREATE_RACE -> request.name() != null;
            case EXPIRED_CONTINUE -> request.verb() == Verb.LIST && request.param("continue") != null;
            default -> true;
        };
    }

    /** FNV-1a, stable across JVMs (unlike identity hashes) so decisions repeat from run to run. */
    private static long hash(String value) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < value.length(); i++) {
            h ^= value.charAt(i);
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** SplitMix64's finalizer. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}

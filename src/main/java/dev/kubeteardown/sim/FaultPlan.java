package dev.kubeteardown.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Which requests the simulator answers badly, and how: error statuses, latency, slow responses, dropped
 * connections, 404 and re-creation races, RBAC refusals and expired continue tokens. Immutable and
 * reusable; install it with {@link LonghornSimulator.Builder#faults(FaultPlan)} or
 * {@link LonghornSimulator#faults(FaultPlan)}.
 *
 * <p>Decisions are deterministic for a given {@link Builder#seed(long) seed} even with many client threads:
 * each one is a hash of the seed, the rule, the verb, the resource, the object's namespace/name and how many
 * times that verb has been sent for that object (for lists: how many lists of that resource), not a shared
 * random sequence. So "the first DELETE of backup-x fails" holds in every run, whatever the interleaving.
 *
 * <pre>{@code
 * FaultPlan plan = FaultPlan.builder().seed(7)
 *     .on(Verb.DELETE, "backups").errorRate(503, 0.1).retryAfter(Duration.ofSeconds(1))
 *     .on(Verb.DELETE, "backups").notFoundRace(0.05, NotFoundBody.EMPTY)
 *     .on(Verb.LIST).latency(Duration.ofMillis(20))
 *     .forbid(Verb.DELETE, "backupvolumes")
 *     .build();
 * }</pre>
 */
public final class FaultPlan {

    /** The user named in injected 403 messages, as the message of a real RBAC refusal names one. */
    public static final String DEFAULT_USER = "test";

    private static final FaultPlan NONE = builder().build();

    private final long seed;
    private final String user;
    private final List<Rule> rules;

    private FaultPlan(long seed, String user, List<Rule> rules) {
        this.seed = seed;
        this.user = user;
        this.rules = List.copyOf(rules);
    }

    /** A plan that injects nothing. */
    public static FaultPlan none() {
        return NONE;
    }

    public static Builder builder() {
        return new Builder();
    }

    long seed() {
        return seed;
    }

    String user() {
        return user;
    }

    List<Rule> rules() {
        return rules;
    }

    @Override
    public String toString() {
        return "FaultPlan[seed=" + seed + ", rules=" + rules + "]";
    }

    /** Requests a rule applies to: its verbs, one resource (or any), and optionally only early attempts. */
    record Rule(Set<Verb> verbs, String resource, int firstAttempts, List<Effect> effects) {
        boolean matches(Verb verb, String requestResource) {
            return verbs.contains(verb) && (resource == null || resource.equals(requestResource));
        }
    }

    /** One misbehaviour with its probability; only the fields its kind needs are set. */
    record Effect(FaultKind kind, double rate, int code, Duration retryAfter, Duration delay, NotFoundBody body) {
        boolean delays() {
            return kind == FaultKind.LATENCY || kind == FaultKind.SLOW_RESPONSE;
        }

        Effect withRetryAfter(Duration value) {
            return new Effect(kind, rate, code, value, delay, body);
        }
    }

    /** Collects rules; {@link #on(Verb)} starts one. Not thread-safe; {@link #build()} is. */
    public static final class Builder {
        private long seed = 1;
        private String user = DEFAULT_USER;
        private final List<RuleBuilder> rules = new ArrayList<>();

        private Builder() {}

        /** Seed of every random decision; the default is 1. */
        public Builder seed(long value) {
            this.seed = value;
            return this;
        }

        /** The user named in 403 messages; the default is {@value FaultPlan#DEFAULT_USER}. */
        public Builder user(String value) {
            this.user = Objects.requireNonNull(value, "user");
            return this;
        }

        /** Starts a rule for one verb on any resource. */
        public RuleBuilder on(Verb verb) {
            return on(verb, null);
        }

        /** Starts a rule for one verb on one resource (the URL plural, e.g. {@code "backups"}; null for any). */
        public RuleBuilder on(Verb verb, String resource) {
            RuleBuilder rule = new RuleBuilder(this, EnumSet.of(Objects.requireNonNull(verb, "verb")), resource);
            rules.add(rule);
            return rule;
        }

        /** Every {@code verb} request on {@code resource} gets 403, as if RBAC did not allow it. */
        public Builder forbid(Verb verb, String resource) {
            on(verb, resource).add(new Effect(FaultKind.FORBIDDEN, 1.0, 403, null, null, null));
            return this;
        }

        /** Every {@code verb} request on {@code resource} gets 401, as with an expired token. */
        public Builder unauthorized(Verb verb, String resource) {
            on(verb, resource).add(new Effect(FaultKind.UNAUTHORIZED, 1.0, 401, null, null, null));
            return this;
        }

        public FaultPlan build() {
            List<Rule> built = new ArrayList<>();
            for (RuleBuilder rule : rules) {
                built.add(
                        new Rule(Set.copyOf(rule.verbs), rule.resource, rule.firstAttempts, List.copyOf(rule.effects)));
            }
            return new FaultPlan(seed, user, built);
        }
    }

    /** The effects of one rule. Effects are checked in a fixed order; the first terminal one that fires wins. */
    public static final class RuleBuilder {
        private final Builder parent;
        private final Set<Verb> verbs;
        private final String resource;
        private final List<Effect> effects = new ArrayList<>();
        private int firstAttempts;

        private RuleBuilder(Builder parent, Set<Verb> verbs, String resource) {
            this.parent = parent;
            this.verbs = verbs;
            this.resource = resource;
        }

        /** With probability {@code rate}, answer {@code code} (429 or 5xx) with a Status, without processing. */
        public RuleBuilder errorRate(int code, double rate) {
            if (code != 429 && (code < 500 || code > 599)) {
                throw new IllegalArgumentException("code must be 429 or 5xx, was " + code);
            }
            return add(new Effect(FaultKind.ERROR_STATUS, rate(rate), code, null, null, null));
        }

        /** Adds a {@code Retry-After} header (and {@code details.retryAfterSeconds}) to the last error rule. */
        public RuleBuilder retryAfter(Duration retryAfter) {
            requireNonNegative(retryAfter, "retryAfter");
            for (int i = effects.size() - 1; i >= 0; i--) {
                if (effects.get(i).kind() == FaultKind.ERROR_STATUS) {
                    effects.set(i, effects.get(i).withRetryAfter(retryAfter));
                    return this;
                }
            }
            throw new IllegalStateException("retryAfter must follow errorRate");
        }

        /** Delays every matching response by {@code delay}, without blocking a thread. */
        public RuleBuilder latency(Duration delay) {
            return add(new Effect(FaultKind.LATENCY, 1.0, 0, null, requireNonNegative(delay, "latency"), null));
        }

        /**
         * With probability {@code rate}, processes the request but answers only after {@code delay}; choose it
         * beyond the client's read timeout to get "timed out, yet it happened".
         */
        public RuleBuilder slowRate(double rate, Duration delay) {
            return add(
                    new Effect(FaultKind.SLOW_RESPONSE, rate(rate), 0, null, requireNonNegative(delay, "delay"), null));
        }

        /** With probability {@code rate}, closes the connection without a response or any processing. */
        public RuleBuilder disconnectRate(double rate) {
            return add(new Effect(FaultKind.DISCONNECT, rate(rate), 0, null, null, null));
        }

        /** Like {@link #notFoundRace(double, NotFoundBody)} with a Status body. */
        public RuleBuilder notFoundRace(double rate) {
            return notFoundRace(rate, NotFoundBody.STATUS);
        }

        /**
         * With probability {@code rate}, on a request for a named object, first removes the object as if a
         * concurrent actor had deleted it, then answers 404 with the given body.
         */
        public RuleBuilder notFoundRace(double rate, NotFoundBody body) {
            return add(new Effect(
                    FaultKind.NOT_FOUND_RACE, rate(rate), 404, null, null, Objects.requireNonNull(body, "body")));
        }

        /**
         * With probability {@code rate}, on a request for a named object, first replaces the object by a new one
         * with the same name and a new UID, then processes the request (so a UID precondition gets 409).
         */
        public RuleBuilder recreateRace(double rate) {
            return add(new Effect(FaultKind.RECREATE_RACE, rate(rate), 0, null, null, null));
        }

        /** With probability {@code rate}, a LIST with a {@code continue} token gets 410 Expired. */
        public RuleBuilder expiredContinueRate(double rate) {
            return add(new Effect(FaultKind.EXPIRED_CONTINUE, rate(rate), 410, null, null, null));
        }

        /** Applies this rule only to the first {@code attempts} requests per object (0, the default: all). */
        public RuleBuilder firstAttempts(int attempts) {
            if (attempts < 0) {
                throw new IllegalArgumentException("attempts must be >= 0, was " + attempts);
            }
            this.firstAttempts = attempts;
            return this;
        }

        /** Starts the next rule. */
        public RuleBuilder on(Verb verb) {
            return parent.on(verb);
        }

        /** Starts the next rule. */
        public RuleBuilder on(Verb verb, String resourceName) {
            return parent.on(verb, resourceName);
        }

        public Builder forbid(Verb verb, String resourceName) {
            return parent.forbid(verb, resourceName);
        }

        public Builder unauthorized(Verb verb, String resourceName) {
            return parent.unauthorized(verb, resourceName);
        }

        public Builder seed(long value) {
            return parent.seed(value);
        }

        public FaultPlan build() {
            return parent.build();
        }

        private RuleBuilder add(Effect effect) {
            effects.add(effect);
            return this;
        }

        private static double rate(double rate) {
            if (!(rate >= 0.0 && rate <= 1.0)) {
                throw new IllegalArgumentException("rate must be between 0 and 1, was " + rate);
            }
            return rate;
        }

        private static Duration requireNonNegative(Duration duration, String field) {
            if (duration == null || duration.isNegative()) {
                throw new IllegalArgumentException(field + " must be >= 0, was " + duration);
            }
            return duration;
        }
    }
}

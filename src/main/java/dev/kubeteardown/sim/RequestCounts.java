package dev.kubeteardown.sim;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * An immutable snapshot of the requests the simulator received, by verb and resource (the URL plural,
 * e.g. {@code backups}; subresource requests count under their resource). Lets tests assert what a client
 * sent, e.g. that a dry run sent zero DELETEs.
 */
public final class RequestCounts {

    private final Map<Verb, Map<String, Long>> counts;

    RequestCounts(Map<Verb, Map<String, Long>> counts) {
        Map<Verb, Map<String, Long>> copy = new EnumMap<>(Verb.class);
        counts.forEach((verb, byResource) -> copy.put(verb, Map.copyOf(byResource)));
        this.counts = copy;
    }

    /** All resource requests. */
    public long total() {
        return counts.values().stream()
                .flatMap(m -> m.values().stream())
                .mapToLong(Long::longValue)
                .sum();
    }

    /** Requests with this verb, on any resource. */
    public long count(Verb verb) {
        return counts.getOrDefault(verb, Map.of()).values().stream()
                .mapToLong(Long::longValue)
                .sum();
    }

    /** Requests with this verb on this resource. */
    public long count(Verb verb, String resource) {
        return counts.getOrDefault(verb, Map.of()).getOrDefault(resource, 0L);
    }

    /** Requests with any verb on this resource. */
    public long count(String resource) {
        return counts.values().stream()
                .mapToLong(m -> m.getOrDefault(resource, 0L))
                .sum();
    }

    /** Counts per verb; verbs never seen are absent. */
    public Map<Verb, Long> byVerb() {
        Map<Verb, Long> byVerb = new EnumMap<>(Verb.class);
        counts.keySet().forEach(verb -> byVerb.put(verb, count(verb)));
        return byVerb;
    }

    /** Counts per resource, sorted by name. */
    public Map<String, Long> byResource() {
        Map<String, Long> byResource = new TreeMap<>();
        counts.values().forEach(m -> m.forEach((resource, n) -> byResource.merge(resource, n, Long::sum)));
        return byResource;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("RequestCounts[total=").append(total());
        counts.forEach((verb, byResource) -> new TreeMap<>(byResource)
                .forEach((resource, n) -> text.append(", ")
                        .append(verb)
                        .append(' ')
                        .append(resource)
                        .append('=')
                        .append(n)));
        return text.append(']').toString();
    }
}

package dev.kubeteardown.sim;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Thread-safe request and injected-fault counters behind {@link RequestCounts}. */
final class RequestStats {

    private final Map<Verb, Map<String, LongAdder>> requests = new ConcurrentHashMap<>();
    private final Map<FaultKind, LongAdder> faults = new ConcurrentHashMap<>();

    void request(Verb verb, String resource) {
        requests.computeIfAbsent(verb, v -> new ConcurrentHashMap<>())
                .computeIfAbsent(resource, r -> new LongAdder())
                .increment();
    }

    void fault(FaultKind kind) {
        faults.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    RequestCounts requests() {
        Map<Verb, Map<String, Long>> snapshot = new EnumMap<>(Verb.class);
        requests.forEach((verb, byResource) -> {
            Map<String, Long> counts = new ConcurrentHashMap<>();
            byResource.forEach((resource, n) -> counts.put(resource, n.sum()));
            snapshot.put(verb, counts);
        });
        return new RequestCounts(snapshot);
    }

    Map<FaultKind, Long> faults() {
        Map<FaultKind, Long> snapshot = new EnumMap<>(FaultKind.class);
        faults.forEach((kind, n) -> snapshot.put(kind, n.sum()));
        return Collections.unmodifiableMap(snapshot);
    }

    void reset() {
        requests.clear();
        faults.clear();
    }
}

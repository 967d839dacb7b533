package dev.kubeteardown;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits until deleted objects are gone by UID (a re-created object with the same name is not the old one).
 * It looks at the whole namespace (or cluster), not through the run's selectors: an object relabelled out of the
 * selector while a finalizer holds it is still there, and a filtered watch would report it DELETED.
 *
 * <p>With {@link WaitStrategy#WATCH} it watches the scope from the list's resourceVersion and reacts to each
 * DELETED event, so the wait ends as soon as the last object goes, with one request. When the server does not
 * serve the watch (the fabric8 mock), or the resourceVersion expired (410), it polls: one list of the scope per
 * round, 25 ms doubling to 1 s, never a request per object per round.
 */
final class GoneWaiter {

    private static final Logger LOG = LoggerFactory.getLogger(GoneWaiter.class);
    static final Duration FIRST_POLL = Duration.ofMillis(25);
    static final Duration MAX_POLL = Duration.ofSeconds(1);
    /** Watches in a row that may end without a single event before the wait polls instead. */
    static final int MAX_FRUITLESS_WATCHES = 3;

    /** Told when a waited-on object is confirmed gone. */
    @FunctionalInterface
    interface GoneListener {
        void gone(Tracked tracked, String how);
    }

    private enum WatchEnd {
        DONE,
        RESYNC,
        UNSUPPORTED
    }

    private final CleanupSpec spec;
    private final KubeApi api;
    private final Lister lister;
    private final RunExecutor executor;

    GoneWaiter(CleanupSpec spec, KubeApi api, Lister lister, RunExecutor executor) {
        this.spec = spec;
        this.api = api;
        this.lister = lister;
        this.executor = executor;
    }

    /**
     * Removes each object from {@code pending} as it is confirmed gone and tells the listener. Returns at the
     * deadline at the latest; whatever is left in {@code pending} was still present when last seen.
     */
    void await(Map<String, Tracked> pending, String resourceVersion, Deadline deadline, GoneListener listener)
            throws InterruptedException {
        if (pending.isEmpty()) {
            return;
        }
        String version = resourceVersion;
        boolean watch = spec.waitStrategy() == WaitStrategy.WATCH && version != null && !version.isEmpty();
        while (watch && !pending.isEmpty() && !deadline.isExpired()) {
            String from = version;
            WatchEnd end = executor.io(() -> watch(pending, from, deadline, listener));
            if (end == WatchEnd.UNSUPPORTED) {
                watch = false;
            } else if (end == WatchEnd.RESYNC) {
                version = pollOnce(pending, deadline, listener);
                watch = version != null;
            }
        }
        poll(pending, deadline, listener);
    }

    /** One more look after the deadline, so nothing that went meanwhile is reported STUCK. */
    void confirm(Map<String, Tracked> pending, Deadline grace, GoneListener listener) throws InterruptedException {
        if (!pending.isEmpty()) {
            pollOnce(pending, grace, listener);
        }
    }

    private void poll(Map<String, Tracked> pending, Deadline deadline, GoneListener listener)
            throws InterruptedException {
        Duration delay = FIRST_POLL;
        while (!pending.isEmpty() && !deadline.isExpired()) {
            pollOnce(pending, deadline, listener);
            if (pending.isEmpty() || deadline.isExpired()) {
                return;
            }
            spec.sleeper().sleep(deadline.cap(delay));
            delay = delay.multipliedBy(2).compareTo(MAX_POLL) > 0 ? MAX_POLL : delay.multipliedBy(2);
        }
    }

    /** Lists the scope once; returns the list's resourceVersion, or null when the list failed. */
    private String pollOnce(Map<String, Tracked> pending, Deadline deadline, GoneListener listener)
            throws InterruptedException {
        try {
            Lister.Snapshot snapshot = executor.io(() -> lister.present(pending.keySet(), deadline));
            Map<String, ObjectRef> present = snapshot.present();
            for (String uid : pending.keySet().toArray(new String[0])) {
                ObjectRef latest = present.get(uid);
                if (latest == null) {
                    Tracked t = pending.remove(uid);
                    if (t != null) {
                        listener.gone(t, "confirmed gone by list");
                    }
                } else {
                    pending.computeIfPresent(uid, (k, t) -> t.seen(latest));
                }
            }
            return snapshot.resourceVersion();
        } catch (Lister.ListFailure e) {
            LOG.debug("waiting for {}: list failed ({}); will look again", spec.description(), e.getMessage());
            return null;
        }
    }

    private WatchEnd watch(Map<String, Tracked> pending, String version, Deadline deadline, GoneListener listener) {
        String from = version;
        int fruitless = 0;
        while (!pending.isEmpty() && !deadline.isExpired()) {
            if (fruitless >= MAX_FRUITLESS_WATCHES) {
                // a server or proxy that ends every watch at once would otherwise be asked again without pause
                LOG.debug(
                        "watch of {} ended {} times without an event; polling instead", spec.description(), fruitless);
                return WatchEnd.UNSUPPORTED;
            }
            fruitless++;
            KubeApi.WatchStream stream;
            try {
                stream = api.openWatch(
                        spec.type(),
                        spec.requestNamespace(),
                        spec.labels().toString(),
                        spec.fields().toString(),
                        from,
                        deadline);
            } catch (IOException e) {
                LOG.debug("watch of {} failed to open ({}); polling instead", spec.description(), Retrier.describe(e));
                return deadline.isExpired() ? WatchEnd.DONE : WatchEnd.UNSUPPORTED;
            }
            try (stream) {
                if (stream.code() != 200) {
                    LOG.debug("watch of {} answered {}; polling instead", spec.description(), stream.code());
                    return stream.code() == 410 ? WatchEnd.RESYNC : WatchEnd.UNSUPPORTED;
                }
                String line;
                while (!pending.isEmpty() && (line = stream.readLine()) != null) {
                    if (line.isBlank()) {
                        continue;
                    }
                    JsonObject event = parse(line);
                    String type = event == null ? null : ObjectRef.string(event, "type");
                    if (type == null
                            || !event.has("object")
                            || !event.get("object").isJsonObject()) {
                        LOG.debug("watch of {} does not stream events; polling instead", spec.description());
                        return WatchEnd.UNSUPPORTED;
                    }
                    fruitless = 0;
                    JsonObject object = event.getAsJsonObject("object");
                    if ("ERROR".equals(type)) {
                        return "410".equals(ObjectRef.string(object, "code")) ? WatchEnd.RESYNC : WatchEnd.UNSUPPORTED;
                    }
                    ObjectRef ref = ObjectRef.of(object);
                    if (ref.resourceVersion() != null) {
                        from = ref.resourceVersion();
                    }
                    if ("DELETED".equals(type)) {
                        Tracked t = pending.remove(ref.uid());
                        if (t != null) {
                            listener.gone(t.seen(ref), "confirmed gone by watch");
                        }
                    } else if (!"BOOKMARK".equals(type) && ref.uid() != null) {
                        pending.computeIfPresent(ref.uid(), (k, t) -> t.seen(ref));
                    }
                }
            } catch (IOException e) {
                if (Thread.currentThread().isInterrupted() || deadline.isExpired()) {
                    return WatchEnd.DONE;
                }
                LOG.debug(
                        "watch of {} broke ({}); resuming from resourceVersion {}",
                        spec.description(),
                        Retrier.describe(e),
                        from);
            }
        }
        return WatchEnd.DONE;
    }

    private static JsonObject parse(String line) {
        try {
            JsonElement e = JsonParser.parseString(line);
            return e.isJsonObject() ? e.getAsJsonObject() : null;
        } catch (RuntimeException notJson) {
            return null;
        }
    }

    static Map<String, Tracked> newPendingMap() {
        return new ConcurrentHashMap<>();
    }
}

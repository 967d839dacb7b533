package dev.kubeteardown;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.time.Duration;
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
 * round, 25 ms doubling to 1 s, never a request per object per round. A watch refused by RBAC (403) or
 * authentication (401) is polled as well, and the report carries a note naming the missing {@code watch} verb.
 */
final class GoneWaiter {

    private static final Logger LOG = LoggerFactory.getLogger(GoneWaiter.class);
    static final Duration FIRST_POLL = Duration.ofMillis(25);
    static final Duration MAX_POLL = Duration.ofSeconds(1);
    /** Watches in a row that may end without a single event before the wait polls instead. */
    static final int MAX_FRUITLESS_WATCHES = 3;

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
     * Drains {@code pending} as objects are confirmed gone. Returns at the deadline at the latest; whatever is left
     * in {@code pending} was still present when last seen.
     */
    void await(PendingDeletions pending, String resourceVersion, Deadline deadline) throws InterruptedException {
        if (pending.isEmpty()) {
            return;
        }
        String version = resourceVersion;
        boolean watch = spec.timing().waitStrategy() == WaitStrategy.WATCH && version != null && !version.isEmpty();
        while (watch && !pending.isEmpty() && !deadline.isExpired()) {
            String from = version;
            WatchEnd end = executor.io(() -> watch(pending, from, deadline));
            if (end == WatchEnd.UNSUPPORTED) {
                watch = false;
            } else if (end == WatchEnd.RESYNC) {
                version = pollOnce(pending, deadline);
                watch = version != null;
            }
        }
        poll(pending, deadline);
    }

    /**
     * One more look after the deadline, bounded by {@code finalCheck} (see {@link Deadline#withFinalCheck()}), so
     * nothing that went meanwhile is reported STUCK.
     */
    void confirm(PendingDeletions pending, Deadline finalCheck) throws InterruptedException {
        if (!pending.isEmpty()) {
            pollOnce(pending, finalCheck);
        }
    }

    private void poll(PendingDeletions pending, Deadline deadline) throws InterruptedException {
        Duration delay = FIRST_POLL;
        while (!pending.isEmpty() && !deadline.isExpired()) {
            pollOnce(pending, deadline);
            if (pending.isEmpty() || deadline.isExpired()) {
                return;
            }
            spec.hooks().sleeper().sleep(deadline.cap(delay));
            delay = delay.multipliedBy(2).compareTo(MAX_POLL) > 0 ? MAX_POLL : delay.multipliedBy(2);
        }
    }

    /** Lists the scope once; returns the list's resourceVersion, or null when the list failed. */
    private String pollOnce(PendingDeletions pending, Deadline deadline) throws InterruptedException {
        try {
            Lister.Snapshot snapshot = executor.io(() -> lister.present(pending.identities(), deadline));
            pending.reconcile(snapshot.present(), "confirmed gone by list");
            return snapshot.resourceVersion();
        } catch (Lister.ListFailure e) {
            LOG.debug("waiting for {}: list failed ({}); will look again", spec.description(), e.getMessage());
            return null;
        }
    }

    private WatchEnd watch(PendingDeletions pending, String version, Deadline deadline) {
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
                        spec.scope().labels().toString(),
                        spec.scope().fields().toString(),
                        from,
                        deadline);
            } catch (IOException e) {
                LOG.debug("watch of {} failed to open ({}); polling instead", spec.description(), Retrier.describe(e));
                return deadline.isExpired() ? WatchEnd.DONE : WatchEnd.UNSUPPORTED;
            }
            try (stream) {
                if (stream.code() == 401 || stream.code() == 403) {
                    // not a server without watch: the client may not watch, so say so where the report is read
                    pending.note(refused(stream));
                    return WatchEnd.UNSUPPORTED;
                }
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
                        pending.gone(ref, "confirmed gone by watch");
                    } else if (!"BOOKMARK".equals(type)) {
                        pending.seen(ref);
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

    /** What a refused watch means: the wait still works, by listing, and the role lacks {@code watch}. */
    private String refused(KubeApi.WatchStream stream) {
        int code = stream.code();
        String message;
        try {
            message = stream.message();
        } catch (IOException e) {
            message = "body unreadable: " + Retrier.describe(e);
        }
        String why = code == 403
                ? Classifier.rbacHint("watch", spec.type(), spec.requestNamespace())
                : "the client's credentials were refused";
        return "the watch of " + spec.type().qualifiedName() + " was refused (" + code + " " + Classifier.reason(code)
                + ": " + message + "; " + why + "): waited by listing instead";
    }

    private static JsonObject parse(String line) {
        try {
            JsonElement e = JsonParser.parseString(line);
            return e.isJsonObject() ? e.getAsJsonObject() : null;
        } catch (RuntimeException notJson) {
            return null;
        }
    }
}

package dev.kubeteardown.sim;

import io.fabric8.mockwebserver.http.MockResponse;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Watches over plain HTTP, as client-java sends them ({@code ?watch=true}, newline-delimited JSON events on
 * a chunked response): replay from {@code resourceVersion} out of the store's history (or synthetic ADDED
 * events without one), then live events. An object that stops matching the selectors is reported DELETED
 * and one that starts matching ADDED, as on a real server. A version older than the history gets an ERROR
 * event with a 410 {@code Expired} Status. No bookmarks are sent.
 */
final class WatchStreams {

    private final ObjectStore store;
    private final Set<ResponseStream> open = ConcurrentHashMap.newKeySet();

    WatchStreams(ObjectStore store) {
        this.store = store;
    }

    MockResponse open(ApiResource resource, RequestInfo request, SelectorMatcher filter, ResponseForm form) {
        Long since = sinceVersion(request.param("resourceVersion"));
        long timeoutSeconds = request.longParam("timeoutSeconds", 0);
        String namespace = resource.namespaced() ? request.namespace() : null;
        return new SpecialResponses.Streaming(stream -> {
            if (timeoutSeconds > 0) {
                stream.endAfter(Duration.ofSeconds(timeoutSeconds));
            }
            Watcher watcher = new Watcher(stream, namespace, filter, form);
            try {
                stream.onClose(store.subscribe(resource, since, watcher::onEvent));
                // counted once subscribed: a caller that waits for openWatches() may then rely on live events
                open.add(stream);
                stream.onClose(() -> open.remove(stream));
            } catch (StatusException expired) {
                stream.write(event("ERROR", Json.bytes(expired.toStatus())));
                stream.end();
            }
        });
    }

    /** Ends every open watch, as a server shutting down does. */
    void closeAll() {
        open.forEach(ResponseStream::end);
    }

    int openCount() {
        return open.size();
    }

    private static Long sinceVersion(String resourceVersion) {
        if (resourceVersion == null || resourceVersion.equals("0")) {
            return null;
        }
        try {
            return Long.parseLong(resourceVersion);
        } catch (NumberFormatException e) {
            throw StatusException.badRequest("resourceVersion: Invalid value: \"" + resourceVersion
                    + "\": strconv.ParseUint: parsing \"" + resourceVersion + "\": invalid syntax");
        }
    }

    private static byte[] event(String type, byte[] object) {
        ByteArrayOutputStream line = new ByteArrayOutputStream(object.length + 32);
        line.writeBytes(("{\"type\":\"" + type + "\",\"object\":").getBytes(StandardCharsets.UTF_8));
        line.writeBytes(object);
        line.writeBytes("}\n".getBytes(StandardCharsets.UTF_8));
        return line.toByteArray();
    }

    /** One watch's filter, applied to store events under the store lock; it only queues writes. */
    private record Watcher(ResponseStream stream, String namespace, SelectorMatcher filter, ResponseForm form) {

        void onEvent(StoreEvent event) {
            boolean now = matches(event.object());
            boolean before = event.previous() != null && matches(event.previous());
            String type = switch (event.type()) {
                case ADDED -> now ? "ADDED" : null;
                case DELETED -> now || before ? "DELETED" : null;
                case MODIFIED -> now && before ? "MODIFIED" : now ? "ADDED" : before ? "DELETED" : null;
            };
            if (type != null) {
                stream.write(event(type, event.object().bytes(form)));
            }
        }

        private boolean matches(StoredObject object) {
            return (namespace == null || Objects.equals(namespace, object.namespace())) && filter.test(object);
        }
    }
}

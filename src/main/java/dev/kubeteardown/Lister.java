package dev.kubeteardown;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lists the scope page by page ({@code limit}/{@code continue}) and hands each object in scope to a sink as soon as
 * its page arrives. The server's selectors are applied again client-side: a server that ignores part of a selector
 * (the fabric8 mock ignores set-based ones) cannot widen the scope. An expired continue token (410) restarts the
 * list; UIDs already handed out are not handed out twice.
 */
final class Lister {

    private static final Logger LOG = LoggerFactory.getLogger(Lister.class);
    private static final int MAX_RESTARTS = 5;

    /** Receives each object in scope, with its labels. */
    @FunctionalInterface
    interface Sink {
        void accept(ObjectRef ref, Map<String, String> labels) throws InterruptedException;
    }

    /**
     * @param served          false when the list answered 404: the resource type is not served
     * @param resourceVersion the resourceVersion of the first page, for a watch to start from
     */
    record Result(boolean served, String resourceVersion, String notServedMessage) {}

    /** The list itself failed (after retries); {@code page} is 0 for the first page. */
    static final class ListFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final Retrier.Exchange exchange;
        final int page;

        ListFailure(String message, Retrier.Exchange exchange, int page) {
            super(message);
            this.exchange = exchange;
            this.page = page;
        }

        int code() {
            return exchange == null ? 0 : exchange.code();
        }
    }

    private final CleanupSpec spec;
    private final KubeApi api;
    private final Retrier retrier;

    Lister(CleanupSpec spec, KubeApi api, Retrier retrier) {
        this.spec = spec;
        this.api = api;
        this.retrier = retrier;
    }

    /** Lists the whole scope, handing each object whose UID is not yet in {@code seen} to the sink. */
    Result list(Deadline deadline, Set<String> seen, Sink sink) throws InterruptedException, ListFailure {
        String continueToken = null;
        String firstVersion = null;
        int pages = 0;
        int restarts = 0;
        while (true) {
            if (deadline.isExpired()) {
                throw new ListFailure(
                        "deadline reached while listing (after " + pages + " page" + (pages == 1 ? "" : "s") + ")",
                        null,
                        pages);
            }
            String token = continueToken;
            Retrier.Exchange exchange = retrier.send(
                    "list " + spec.description(),
                    () -> api.list(
                            spec.type(),
                            spec.requestNamespace(),
                            spec.scope().labels().toString(),
                            spec.scope().fields().toString(),
                            spec.limits().pageSize(),
                            token,
                            spec.scope().fields().needsFullObjects(),
                            deadline),
                    deadline);
            pages++;
            int code = exchange.code();
            if (code == 404 && token == null && seen.isEmpty()) {
                // only a first look can say "not served": a 404 after objects were handed out (the CRD deleted
                // mid-run, or on a restarted list) must not end the run as if there had been nothing to clean
                return new Result(false, null, exchange.result().message());
            }
            if (code == 410 && token != null && restarts < MAX_RESTARTS) {
                restarts++;
                LOG.debug(
                        "continue token expired (410) listing {}; restarting the list ({} of {})",
                        spec.description(),
                        restarts,
                        MAX_RESTARTS);
                continueToken = null;
                firstVersion = null; // the expired list's version is too old for a watch to start from
                continue;
            }
            ListPage page = exchange.result() == null || !exchange.result().isSuccess()
                    ? null
                    : ListPage.parse(
                            exchange.result().body(), !spec.scope().fields().isEverything());
            if (page == null) {
                throw new ListFailure(describeFailure(exchange), exchange, pages - 1);
            }
            if (firstVersion == null) {
                firstVersion = page.resourceVersion();
            }
            for (ListPage.Item item : page.items()) {
                if (inScope(item)) {
                    if (seen.add(item.ref().identity())) {
                        sink.accept(item.ref(), item.labels());
                    }
                }
            }
            String next = page.continueToken();
            if (next == null || next.isEmpty() || next.equals(token)) {
                return new Result(true, firstVersion, null);
            }
            continueToken = next;
        }
    }

    /**
     * Which of {@code identities} are still present, by {@linkplain ObjectRef#identity() identity} (a same-name
     * replacement does not count).
     *
     * @param present         the present ones as last seen
     * @param resourceVersion the list's resourceVersion, for a watch to resume from
     */
    record Snapshot(Map<String, ObjectRef> present, String resourceVersion) {}

    Snapshot present(Set<String> identities, Deadline deadline) throws InterruptedException, ListFailure {
        Map<String, ObjectRef> present = new HashMap<>();
        Result result = list(deadline, new HashSet<>(), (ref, labels) -> {
            if (identities.contains(ref.identity())) {
                present.put(ref.identity(), ref);
            }
        });
        // a type no longer served (CRD deleted) has nothing present any more
        return new Snapshot(result.served() ? present : Map.of(), result.resourceVersion());
    }

    private boolean inScope(ListPage.Item item) {
        ObjectRef ref = item.ref();
        if (ref == null || ref.name() == null) {
            return false;
        }
        if (spec.requestNamespace() != null && !spec.requestNamespace().equals(ref.namespace())) {
            return false;
        }
        if (!spec.scope().labels().matches(item.labels())
                || (item.object() != null && !spec.scope().fields().matches(item.object()))) {
            return false;
        }
        return spec.scope().names() == null || spec.scope().names().test(ref.name());
    }

    private String describeFailure(Retrier.Exchange exchange) {
        if (exchange.result() == null) {
            return "cannot reach the API server at " + api.baseUrl() + " (" + Retrier.describe(exchange.error())
                    + ", after " + exchange.attempts() + " attempt" + (exchange.attempts() == 1 ? "" : "s") + ")";
        }
        int code = exchange.code();
        String base =
                code + " " + Classifier.reason(code) + ": " + exchange.result().message();
        return switch (code) {
            case 401 -> base + "; the API server at " + api.baseUrl() + " refused the client's credentials";
            case 403 -> base + "; " + Classifier.rbacHint("list", spec.type(), spec.requestNamespace());
            default ->
                exchange.result().isSuccess()
                        ? "the list answer is not a JSON object: "
                                + exchange.result().message()
                        : base + (exchange.attempts() > 1 ? " (after " + exchange.attempts() + " attempts)" : "");
        };
    }
}

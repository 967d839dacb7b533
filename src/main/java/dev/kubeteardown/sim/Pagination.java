package dev.kubeteardown.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code limit}/{@code continue} paging with real-server semantics: every page of one list comes from the
 * same consistent snapshot (as etcd serves all chunks at the first chunk's resource version), items are in
 * key order, tokens are opaque base64 JSON like kube-apiserver's, and a token whose snapshot has expired
 * gets 410 {@code Expired} with a token to continue inconsistently. Snapshots are kept for a TTL, so only
 * the first page of a list costs O(N); later pages cost O(log N + limit).
 */
final class Pagination {

    record Page(List<StoredObject> items, long resourceVersion, String continueToken, Long remainingItemCount) {}

    private record Cached(ApiResource resource, String namespace, ObjectStore.Snapshot snapshot, long createdNanos) {}

    private record Token(long snapshotId, long resourceVersion, String start) {}

    private static final long INCONSISTENT = -1;

    private final Map<Long, Cached> snapshots = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final Duration ttl;
    private final int maxSnapshots;
    private final LongSupplier nanoTime;

    Pagination(Duration ttl, int maxSnapshots, LongSupplier nanoTime) {
        this.ttl = ttl;
        this.maxSnapshots = maxSnapshots;
        this.nanoTime = nanoTime;
    }

    /**
     * One page of a list.
     *
     * @param expire treat a continue token as expired (fault injection)
     */
    Page page(
            ObjectStore store,
            ApiResource resource,
            String namespace,
            SelectorMatcher filter,
            long limit,
            String continueToken,
            boolean expire) {
        ObjectStore.Snapshot snapshot;
        int from;
        long snapshotId;
        if (continueToken == null) {
            snapshot = store.snapshot(resource, namespace);
            from = 0;
            snapshotId = INCONSISTENT;
        } else {
            Token token = decode(continueToken);
            Cached cached = token.snapshotId() == INCONSISTENT ? null : snapshots.get(token.snapshotId());
            if (token.snapshotId() != INCONSISTENT && (expire || cached == null || expired(cached))) {
                throw StatusException.expiredContinue(
                        encode(new Token(INCONSISTENT, token.resourceVersion(), token.start())));
            }
            if (cached != null) {
                if (!cached.resource().equals(resource) || !Objects.equals(cached.namespace(), namespace)) {
                    throw StatusException.badRequest("continue key is not valid: it belongs to another list");
                }
                snapshot = cached.snapshot();
                snapshotId = token.snapshotId();
            } else {
                snapshot = store.snapshot(resource, namespace);
                snapshotId = INCONSISTENT;
            }
            from = firstAtOrAfter(snapshot.items(), token.start());
        }
        List<StoredObject> all = snapshot.items();
        List<StoredObject> items = new ArrayList<>();
        int next = from;
        while (next < all.size() && (limit <= 0 || items.size() < limit)) {
            StoredObject object = all.get(next++);
            if (filter.test(object)) {
                items.add(object);
            }
        }
        if (limit <= 0 || next >= all.size()) {
            return new Page(items, snapshot.resourceVersion(), null, null);
        }
        if (snapshotId == INCONSISTENT) {
            snapshotId = remember(resource, namespace, snapshot);
        }
        String start = all.get(next - 1).key() + "\u0000";
        String token = encode(new Token(snapshotId, snapshot.resourceVersion(), start));
        Long remaining = filter.selectsEverything() ? (long) (all.size() - next) : null;
        return new Page(items, snapshot.resourceVersion(), token, remaining);
    }

    private long remember(ApiResource resource, String namespace, ObjectStore.Snapshot snapshot) {
        snapshots.values().removeIf(this::expired);
        while (snapshots.size() >= maxSnapshots) {
            snapshots.keySet().stream().min(Long::compare).ifPresent(snapshots::remove);
        }
        long id = ids.incrementAndGet();
        snapshots.put(id, new Cached(resource, namespace, snapshot, nanoTime.getAsLong()));
        return id;
    }

    private boolean expired(Cached cached) {
        return nanoTime.getAsLong() - cached.createdNanos() >= ttl.toNanos();
    }

    private static int firstAtOrAfter(List<StoredObject> items, String start) {
        int low = 0;
        int high = items.size();
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (items.get(mid).key().compareTo(start) < 0) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    private static String encode(Token token) {
        ObjectNode json = Json.object();
        json.put("v", "meta.k8s.io/v1");
        json.put("rv", token.resourceVersion());
        json.put("start", token.start());
        json.put("s", token.snapshotId());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Json.bytes(json));
    }

    private static Token decode(String continueToken) {
        try {
            JsonNode json = Json.MAPPER.readTree(Base64.getUrlDecoder().decode(continueToken));
            String start = Json.text(json, "start");
            if (!"meta.k8s.io/v1".equals(Json.text(json, "v"))
                    || start == null
                    || !json.path("rv").isNumber()) {
                throw new IllegalArgumentException("unexpected fields");
            }
            long id = json.path("s").isNumber() ? json.path("s").asLong() : INCONSISTENT;
            return new Token(id, json.path("rv").asLong(), start);
        } catch (RuntimeException e) {
            throw StatusException.badRequest("continue key is not valid: cannot decode \"" + continueToken + "\"");
        }
    }
}

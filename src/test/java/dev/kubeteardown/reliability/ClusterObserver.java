package dev.kubeteardown.reliability;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import okhttp3.Call;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Watches every backup of a simulator from before seeding on (so it sees each object's whole life, re-created ones
 * included) and plays the controller that owns the {@link Scenario#HOLD} finalizer: once an object is being deleted
 * it releases the finalizer after that object's delay, or never.
 *
 * <p>Its watch is opened before any fault plan is installed and never reconnects, so faults do not touch it; its
 * finalizer patches may meet PATCH faults and are retried.
 */
final class ClusterObserver implements AutoCloseable {

    /** The life of one object (one UID) as the watch told it; times are {@link System#nanoTime()}. */
    static final class Life {
        final String uid;
        final String namespace;
        final String name;
        final long createdRv;
        volatile long deletedRv;
        volatile long deletedNanos;

        Life(String uid, String namespace, String name, long createdRv) {
            this.uid = uid;
            this.namespace = namespace;
            this.name = name;
            this.createdRv = createdRv;
        }

        boolean deleted() {
            return deletedRv > 0;
        }
    }

    private final SimAdmin admin;
    private final BiFunction<String, String, Duration> holdDelay;
    private final Map<String, Life> lives = new ConcurrentHashMap<>();
    private final Set<String> scheduled = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService controller;
    private final CountDownLatch open = new CountDownLatch(1);
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private final AtomicInteger otherKinds = new AtomicInteger();
    private volatile Call call;
    private volatile boolean closed;
    private final Thread reader;

    /**
     * @param holdDelay for (namespace, name): how long after the delete the controller releases the hold finalizer;
     *                  {@code null} for never
     */
    ClusterObserver(SimAdmin admin, String name, BiFunction<String, String, Duration> holdDelay) {
        this.admin = admin;
        this.holdDelay = holdDelay;
        this.controller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "reliability-controller-" + name);
            t.setDaemon(true);
            return t;
        });
        this.reader = new Thread(this::read, "reliability-observer-" + name);
        this.reader.setDaemon(true);
    }

    /** Opens the watch and returns once the server has answered it. */
    ClusterObserver start() throws InterruptedException {
        reader.start();
        if (!open.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the observer's watch did not open");
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException(problems.get(0));
        }
        return this;
    }

    private void read() {
        Request request = new Request.Builder()
                .url(admin.url() + SimAdmin.BACKUPS + "?watch=true")
                .build();
        call = admin.streaming().newCall(request);
        try (Response response = call.execute()) {
            if (response.code() != 200) {
                problems.add("observer watch answered " + response.code());
                open.countDown();
                return;
            }
            open.countDown();
            var source = response.body().source();
            String line;
            while (!closed && (line = source.readUtf8Line()) != null) {
                if (!line.isBlank()) {
                    onEvent(JsonParser.parseString(line).getAsJsonObject());
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                problems.add("observer watch broke: " + e);
            }
        } finally {
            open.countDown();
        }
    }

    private void onEvent(JsonObject event) {
        String type = event.get("type").getAsString();
        JsonObject object = event.getAsJsonObject("object");
        if ("ERROR".equals(type)) {
            problems.add("observer watch got an ERROR event: " + object);
            return;
        }
        if (!object.has("kind") || !"Backup".equals(object.get("kind").getAsString())) {
            otherKinds.incrementAndGet(); // the simulator's live watch events are not filtered by resource type
            return;
        }
        JsonObject meta = object.getAsJsonObject("metadata");
        String uid = meta.get("uid").getAsString();
        String namespace = meta.get("namespace").getAsString();
        String name = meta.get("name").getAsString();
        long rv = Long.parseLong(meta.get("resourceVersion").getAsString());
        Life life = lives.computeIfAbsent(uid, u -> new Life(u, namespace, name, rv));
        long now = System.nanoTime();
        if ("DELETED".equals(type)) {
            life.deletedRv = rv;
            life.deletedNanos = now;
        } else if (meta.has("deletionTimestamp")
                && !meta.get("deletionTimestamp").isJsonNull()) {
            if (hasHold(meta) && scheduled.add(uid)) {
                Duration delay = holdDelay.apply(namespace, name);
                if (delay != null) {
                    controller.schedule(() -> release(life), delay.toNanos(), TimeUnit.NANOSECONDS);
                }
            }
        }
    }

    private static boolean hasHold(JsonObject meta) {
        if (!meta.has("finalizers") || !meta.get("finalizers").isJsonArray()) {
            return false;
        }
        for (var f : meta.getAsJsonArray("finalizers")) {
            if (Scenario.HOLD.equals(f.getAsString())) {
                return true;
            }
        }
        return false;
    }

    /** Removes the hold finalizer from this UID (resourceVersion-checked), retrying through injected faults. */
    private void release(Life life) {
        String path = SimAdmin.objectPath(life.namespace, life.name);
        for (int attempt = 0; attempt < 200 && !closed; attempt++) {
            try {
                SimAdmin.Reply current = admin.get(path);
                if (current.code() == 404) {
                    return;
                }
                if (current.code() == 200) {
                    SimAdmin.Obj o = SimAdmin.Obj.of(current.json());
                    if (!o.uid().equals(life.uid) || !o.finalizers().contains(Scenario.HOLD)) {
                        return;
                    }
                    JsonArray rest = new JsonArray();
                    o.finalizers().stream()
                            .filter(f -> !f.equals(Scenario.HOLD))
                            .forEach(rest::add);
                    JsonObject meta = new JsonObject();
                    meta.addProperty("uid", life.uid);
                    meta.addProperty("resourceVersion", Long.toString(o.resourceVersion()));
                    meta.add("finalizers", rest);
                    JsonObject patch = new JsonObject();
                    patch.add("metadata", meta);
                    SimAdmin.Reply patched = admin.mergePatch(path, patch.toString());
                    if (patched.code() == 200 || patched.code() == 404) {
                        return;
                    }
                }
            } catch (RuntimeException e) {
                // a dropped connection or a closing simulator: try again
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Events of other kinds than Backup that a backups watch delivered (a simulator bug, see the report). */
    int otherKinds() {
        return otherKinds.get();
    }

    /** What the watch has told so far, by UID. */
    Map<String, Life> lives() {
        return lives;
    }

    /** Problems of the observer itself (a broken watch makes a run's evidence incomplete). */
    List<String> problems() {
        return problems;
    }

    /**
     * Waits until the watch has told of every UID in {@code known} and of the removal of every UID in
     * {@code removed}; returns what is still missing after {@code max}.
     */
    List<String> await(Collection<String> known, Collection<String> removed, Duration max) throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        while (true) {
            List<String> missing = new ArrayList<>();
            for (String uid : known) {
                if (!lives.containsKey(uid)) {
                    missing.add("created " + uid);
                }
            }
            for (String uid : removed) {
                Life life = lives.get(uid);
                if (life == null || !life.deleted()) {
                    missing.add("removed " + uid);
                }
            }
            if (missing.isEmpty() || System.nanoTime() > end) {
                return missing;
            }
            Thread.sleep(5);
        }
    }

    @Override
    public void close() {
        closed = true;
        Call c = call;
        if (c != null) {
            c.cancel();
        }
        controller.shutdownNow();
        try {
            reader.join(5_000);
            controller.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

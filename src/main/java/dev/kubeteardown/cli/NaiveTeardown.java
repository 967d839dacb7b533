package dev.kubeteardown.cli;

import com.google.gson.JsonParser;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A faithful port of the teardown in Longhorn's own integration suite (longhorn-tests,
 * manager/integration/tests), the baseline this library is measured against:
 * list the backup volumes, delete each one after the other, poll every second until the list is empty
 * (up to 300 rounds); then list the backups, delete each one after the other, poll every second until the list is
 * empty (up to 30 rounds).
 *
 * <p>With {@code tolerate404 = false} it is the suite before the fix (longhorn-tests PR 2241): the first 404 - a
 * backup Longhorn removed between the list and the delete - aborts the teardown, as it failed the suite. With
 * {@code true} it is the suite after the fix: a 404 on delete is skipped.
 */
public final class NaiveTeardown {

    static final String GROUP = "longhorn.io";
    static final int BACKUP_VOLUME_ROUNDS = 300;
    static final int BACKUP_ROUNDS = 30;
    static final Duration POLL_INTERVAL = Duration.ofSeconds(1);

    /**
     * What the run did.
     *
     * @param deleted  deletes that succeeded
     * @param notFound deletes answered 404 (skipped when tolerated)
     * @param polls    list rounds spent waiting
     * @param failure  the error that aborted the teardown, or {@code null}
     */
    public record Result(int deleted, int notFound, int polls, Duration duration, ApiException failure) {
        public boolean succeeded() {
            return failure == null;
        }

        /** {@code (404) backups.longhorn.io "backup-x" not found}, as the suite's log showed it; empty on success. */
        public String failureMessage() {
            return failure == null ? "" : "(" + failure.getCode() + ") " + reason(failure);
        }
    }

    private final CustomObjectsApi api;
    private final String namespace;
    private final String version;
    private final boolean tolerate404;
    private final Consumer<String> progress;

    public NaiveTeardown(
            ApiClient client, String namespace, String version, boolean tolerate404, Consumer<String> progress) {
        this.api = new CustomObjectsApi(Objects.requireNonNull(client, "client"));
        this.namespace = namespace;
        this.version = version;
        this.tolerate404 = tolerate404;
        this.progress = progress;
    }

    /** Runs both steps; never throws for API errors (they end up in {@link Result#failure()}). */
    public Result run() throws InterruptedException {
        long start = System.nanoTime();
        int[] counts = new int[3];
        try {
            cleanup("backupvolumes", BACKUP_VOLUME_ROUNDS, counts);
            cleanup("backups", BACKUP_ROUNDS, counts);
            return new Result(counts[0], counts[1], counts[2], Duration.ofNanos(System.nanoTime() - start), null);
        } catch (ApiException e) {
            Result failed = new Result(counts[0], counts[1], counts[2], Duration.ofNanos(System.nanoTime() - start), e);
            progress.accept("naive teardown aborted: " + failed.failureMessage());
            return failed;
        }
    }

    private void cleanup(String plural, int rounds, int[] counts) throws ApiException, InterruptedException {
        List<String> names = names(plural);
        progress.accept("naive: deleting " + names.size() + " " + plural + " one by one");
        for (String name : names) {
            try {
                api.deleteNamespacedCustomObject(GROUP, version, namespace, plural, name)
                        .execute();
                counts[0]++;
            } catch (ApiException e) {
                if (e.getCode() == 404 && tolerate404) {
                    counts[1]++;
                    continue;
                }
                throw e;
            }
        }
        for (int round = 0; round < rounds; round++) {
            if (names(plural).isEmpty()) {
                return;
            }
            counts[2]++;
            Thread.sleep(POLL_INTERVAL.toMillis());
        }
        progress.accept("naive: " + plural + " still present after " + rounds + " rounds");
    }

    @SuppressWarnings("unchecked")
    private List<String> names(String plural) throws ApiException {
        Map<String, Object> list =
                (Map<String, Object>) api.listNamespacedCustomObject(GROUP, version, namespace, plural)
                        .execute();
        List<Map<String, Object>> items = (List<Map<String, Object>>) list.getOrDefault("items", List.of());
        return items.stream()
                .map(i -> (String) ((Map<String, Object>) i.get("metadata")).get("name"))
                .toList();
    }

    /** The Status message of the error body, else the body, else the exception's message. */
    static String reason(ApiException e) {
        String body = e.getResponseBody();
        if (body == null || body.isBlank()) {
            return "Reason: " + e.getMessage();
        }
        try {
            var json = JsonParser.parseString(body).getAsJsonObject();
            return json.has("message") ? json.get("message").getAsString() : body.strip();
        } catch (RuntimeException notJson) {
            return body.strip();
        }
    }
}

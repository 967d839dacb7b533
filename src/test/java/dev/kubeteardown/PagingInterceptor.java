package dev.kubeteardown;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kubeteardown.testing.MockCluster;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Real pagination for the mock (which ignores {@code limit}/{@code continue}): pages by offset, and answers the
 * first continuation with 410 Expired, as a real server does when its continue token outlived etcd compaction.
 */
final class PagingInterceptor implements MockCluster.Interceptor {

    private static final Pattern LIMIT = Pattern.compile("[?&]limit=(\\d+)");
    private static final Pattern CONTINUE = Pattern.compile("[?&]continue=after-([^&]+)");

    private final String path;
    private final AtomicInteger expired;

    PagingInterceptor(String path, AtomicInteger expired) {
        this.path = path;
        this.expired = expired;
    }

    @Override
    public MockResponse intercept(RecordedRequest request, MockCluster cluster) {
        String full = request.getPath();
        if (!request.getMethod().equals("GET") || !full.split("\\?")[0].equals(path)) {
            return null;
        }
        Matcher limit = LIMIT.matcher(full);
        if (!limit.find()) {
            return null;
        }
        Matcher cont = CONTINUE.matcher(full);
        // like etcd: a continue token names the last key returned, so deletes between pages skip nothing
        String after = cont.find() ? cont.group(1) : null;
        if (after != null && expired.compareAndSet(0, 1)) {
            return MockCluster.status(410, "Expired", "The provided continue parameter is too old");
        }
        MockResponse all = cluster.passThrough(
                new RecordedRequest("HTTP/1.1", HttpMethod.GET, path, request.getHeaders(), new Buffer()));
        JsonObject list = JsonParser.parseString(all.getBody().readUtf8()).getAsJsonObject();
        List<JsonObject> items = new ArrayList<>();
        list.getAsJsonArray("items").forEach(i -> items.add(i.getAsJsonObject()));
        items.sort(Comparator.comparing(PagingInterceptor::name));
        int size = Integer.parseInt(limit.group(1));
        List<JsonObject> rest = items.stream()
                .filter(i -> after == null || name(i).compareTo(after) > 0)
                .toList();
        JsonArray page = new JsonArray();
        rest.subList(0, Math.min(size, rest.size())).forEach(page::add);
        list.add("items", page);
        JsonObject meta = list.getAsJsonObject("metadata");
        if (rest.size() > size) {
            meta.addProperty("continue", "after-" + name(rest.get(size - 1)));
        } else {
            meta.remove("continue");
        }
        return new MockResponse()
                .setResponseCode(200)
                .setHeader("Content-Type", "application/json")
                .setBody(list.toString());
    }

    private static String name(JsonObject item) {
        return item.getAsJsonObject("metadata").get("name").getAsString();
    }
}

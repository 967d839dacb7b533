package dev.kubeteardown.sim;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import okhttp3.Headers;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/** Raw HTTP against a simulator, to check exactly what goes over the wire. */
final class SimHttp {

    static final String NS = "/apis/longhorn.io/v1beta2/namespaces/longhorn-system/";

    record Reply(int code, String body, Headers headers) {
        JsonObject json() {
            return JsonParser.parseString(body).getAsJsonObject();
        }
    }

    private final String url;
    private final OkHttpClient client;

    SimHttp(LonghornSimulator simulator) {
        this(simulator, Duration.ZERO);
    }

    SimHttp(LonghornSimulator simulator, Duration readTimeout) {
        this.url = simulator.url();
        this.client = simulator
                .apiClient()
                .getHttpClient()
                .newBuilder()
                .readTimeout(readTimeout)
                .retryOnConnectionFailure(false)
                .build();
    }

    Reply get(String path) {
        return send("GET", path, null, null);
    }

    /** A GET with this {@code Accept} header. */
    Reply get(String path, String accept) {
        try (Response response = call(path, accept)) {
            return new Reply(response.code(), response.body().string(), response.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The raw GET with this {@code Accept} header (a watch, read by the caller). */
    Response call(String path, String accept) throws IOException {
        return client.newCall(new Request.Builder()
                        .url(url + path)
                        .header("Accept", accept)
                        .build())
                .execute();
    }

    Reply delete(String path, String deleteOptions) {
        return send("DELETE", path, deleteOptions, "application/json");
    }

    Reply post(String path, String body) {
        return send("POST", path, body, "application/json");
    }

    Reply put(String path, String body) {
        return send("PUT", path, body, "application/json");
    }

    Reply patch(String path, String body, String contentType) {
        return send("PATCH", path, body, contentType);
    }

    Reply send(String method, String path, String body, String contentType) {
        try (Response response = call(method, path, body, contentType)) {
            return new Reply(response.code(), response.body().string(), response.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The raw call, for tests that expect an I/O failure. */
    Response call(String method, String path, String body, String contentType) throws IOException {
        RequestBody requestBody =
                body == null ? null : RequestBody.create(body, contentType == null ? null : MediaType.get(contentType));
        return client.newCall(new Request.Builder()
                        .url(url + path)
                        .method(method, requestBody)
                        .build())
                .execute();
    }

    OkHttpClient client() {
        return client;
    }
}

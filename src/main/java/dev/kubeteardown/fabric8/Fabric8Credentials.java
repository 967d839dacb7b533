package dev.kubeteardown.fabric8;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor.RequestTags;
import io.fabric8.kubernetes.client.utils.HttpClientUtils;
import io.fabric8.kubernetes.client.utils.ImpersonatorInterceptor;
import io.fabric8.kubernetes.client.utils.OpenIDConnectionUtils;
import io.fabric8.kubernetes.client.utils.TokenRefreshInterceptor;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a fabric8 {@link Config}'s credentials on every OkHttp request by running fabric8's own interceptors
 * ({@link TokenRefreshInterceptor}, {@link ImpersonatorInterceptor}) on it, so that the token is chosen and
 * refreshed exactly as fabric8's client does: per request, from the live {@link Config}. On a 401 it asks fabric8
 * for a fresh token and sends the request once more if there is one.
 */
final class Fabric8Credentials implements Interceptor {

    private static final Logger LOG = LoggerFactory.getLogger(Fabric8Credentials.class);
    /** fabric8's interceptors look up per-request tags; this client has none, so they use the config's values. */
    private static final RequestTags NO_TAGS = new RequestTags() {
        @Override
        public <T> T getTag(Class<T> type) {
            return null;
        }
    };

    private final TokenRefreshInterceptor token;
    private final ImpersonatorInterceptor impersonator;

    Fabric8Credentials(Config config) {
        // as TokenRefreshInterceptor(config, factory, now) does, but the fabric8 HTTP client factory is looked up
        // only when an expired OIDC token needs the identity provider
        this.token = new TokenRefreshInterceptor(
                config,
                Instant.now(),
                newest -> OpenIDConnectionUtils.resolveOIDCTokenFromAuthConfig(
                        config,
                        newest.getAuthProvider().getConfig(),
                        HttpClientUtils.getHttpClientFactory().newBuilder()));
        this.impersonator = new ImpersonatorInterceptor(config.getRequestConfig());
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Request request = chain.request();
        Headers headers = new Headers();
        // fabric8 8.0's interceptors read neither the request nor (beyond the tags) anything else: null is safe
        impersonator.before(headers, null, NO_TAGS);
        token.before(headers, null, NO_TAGS);
        Response response = chain.proceed(headers.applyTo(request));
        if (response.code() != HttpURLConnection.HTTP_UNAUTHORIZED) {
            return response;
        }
        if (!refreshed(headers, chain)) {
            return response;
        }
        LOG.debug(
                "{} {} answered 401; fabric8 gave fresh credentials, sending it once more",
                request.method(),
                request.url().encodedPath());
        response.close();
        return chain.proceed(headers.applyTo(request));
    }

    private boolean refreshed(Headers headers, Chain chain) throws IOException {
        CompletableFuture<Boolean> refresh = token.afterFailure(headers, new Unauthorized(), NO_TAGS);
        try {
            // an OIDC refresh asks the identity provider: wait no longer than the call may take
            long limit = chain.call().timeout().timeoutNanos();
            Boolean result = limit > 0 ? refresh.get(limit, TimeUnit.NANOSECONDS) : refresh.get();
            return Boolean.TRUE.equals(result);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while fabric8 refreshed the credentials");
        } catch (ExecutionException | TimeoutException e) {
            // the message of a refresh failure comes from fabric8 and never holds the token
            LOG.debug("fabric8 could not refresh the credentials after a 401: {}", String.valueOf(e.getCause()));
            return false;
        }
    }

    @Override
    public String toString() {
        return "fabric8 credentials";
    }

    /** Collects the headers fabric8's interceptors set; they may set them from another thread (OIDC refresh). */
    private static final class Headers implements BasicBuilder {
        private final Map<String, List<String>> values = new LinkedHashMap<>();

        @Override
        public synchronized BasicBuilder header(String name, String value) {
            values.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
            return this;
        }

        @Override
        public synchronized BasicBuilder setHeader(String name, String value) {
            values.put(name, new ArrayList<>(List.of(value)));
            return this;
        }

        @Override
        public BasicBuilder uri(URI uri) {
            throw new UnsupportedOperationException("fabric8's credential interceptors do not rewrite URIs");
        }

        synchronized Request applyTo(Request request) {
            Request.Builder builder = request.newBuilder();
            values.forEach((name, list) -> {
                builder.removeHeader(name);
                list.forEach(v -> builder.addHeader(name, v));
            });
            return builder.build();
        }

        @Override
        public String toString() {
            return "headers " + values.keySet(); // names only: the values hold credentials
        }
    }

    /** The one thing fabric8's refresh reads of a failed response: its code. */
    private static final class Unauthorized implements HttpResponse<Void> {
        @Override
        public int code() {
            return HttpURLConnection.HTTP_UNAUTHORIZED;
        }

        @Override
        public Void body() {
            return null;
        }

        @Override
        public HttpRequest request() {
            return null;
        }

        @Override
        public Optional<HttpResponse<?>> previousResponse() {
            return Optional.empty();
        }

        @Override
        public List<String> headers(String key) {
            return List.of();
        }

        @Override
        public Map<String, List<String>> headers() {
            return Map.of();
        }
    }
}

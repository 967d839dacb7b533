package dev.kubeteardown.fabric8;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.credentials.ClientCertificateAuthentication;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a fabric8 {@link KubernetesClient} or {@link Config} into a client-java {@link ApiClient} for kube-teardown:
 * {@code BackupCleanup.builder(Fabric8Clients.apiClient(kubernetesClient)).build().run()}.
 *
 * <p>What is carried over from the fabric8 {@link Config}:
 *
 * <ul>
 *   <li>the master URL, {@code tlsServerName} and {@code http2Disable};
 *   <li>the CA certificate ({@code caCertData} or {@code caCertFile}): when set, it is the only trusted issuer, as in
 *       a kubeconfig; otherwise the JVM's default trust store;
 *   <li>the client certificate and key ({@code clientCertData}/{@code clientCertFile} and
 *       {@code clientKeyData}/{@code clientKeyFile}, also what an exec plugin returned), through client-java's
 *       {@link ClientCertificateAuthentication};
 *   <li>{@code trustCerts} and {@code disableHostnameVerification}: TLS checks are turned off only when the fabric8
 *       config says so, with one WARN naming the setting;
 *   <li>{@code connectionTimeout} as the connect timeout, and {@code requestTimeout} as OkHttp's call timeout (the
 *       whole request). kube-teardown sets its own deadline on every call it makes ({@code requestTimeout(d)} of the
 *       builders), so the fabric8 value bounds only your own calls through this {@code ApiClient}, including
 *       client-java watches, which fabric8 does not bound. The read timeout stays unlimited, as
 *       {@link ClientBuilder} leaves it, so that a quiet watch is not cut;
 *   <li>credentials: basic auth when {@code username} and {@code password} are set, else a bearer token, and the
 *       impersonation headers ({@code impersonateUsername}/{@code Groups}/{@code Extras}).
 * </ul>
 *
 * <p><b>Tokens are read per request, not copied.</b> The {@code Authorization} header is added by an OkHttp
 * interceptor that runs fabric8's own {@code TokenRefreshInterceptor} on the same {@link Config} object before
 * each request: the token comes from {@code getOauthTokenProvider()} if set, else {@code getOauthToken()}, else
 * {@code getAutoOAuthToken()} (where fabric8 keeps a token from an exec plugin, OIDC or a service account file).
 * A token that fabric8 refreshes (exec plugin re-run, expired OIDC id-token, a provider's new token) is
 * therefore used from the next request on, whether our client or the fabric8 client refreshed it. On a 401
 * the fabric8 refresh is asked for a new token and the request is sent once more if it got one; that is also
 * fabric8's rule. client-java's {@code AccessTokenAuthentication} was not used because it freezes the token in
 * the {@code ApiClient} at creation. The client's {@code getAuthentication("BearerToken")} therefore stays empty.
 * The token, password and key never appear in a log line, exception message or {@code toString()}.
 *
 * <p>Not carried over, so that nothing is weakened silently: a Java key store or trust store file
 * ({@code keyStoreFile}, {@code trustStoreFile}) makes {@link #apiClient(Config)} throw
 * {@link IllegalArgumentException}; an HTTP(S) proxy is logged at WARN and not used (client-java goes through the
 * JVM's {@code ProxySelector}, e.g. {@code -Dhttps.proxyHost}); {@code customHeaders} and {@code userAgent} are
 * ignored.
 *
 * <p>Only this package needs fabric8 ({@code io.fabric8:kubernetes-client-api} 8.0, optional in kube-teardown's POM);
 * the engine does not depend on it.
 */
public final class Fabric8Clients {

    private static final Logger LOG = LoggerFactory.getLogger(Fabric8Clients.class);

    private Fabric8Clients() {}

    /**
     * An {@link ApiClient} for the same server and credentials as {@code client}. It shares the client's
     * {@link Config} object, so a token that fabric8 refreshes there is picked up; closing the fabric8 client does
     * not close this one (it has its own connections).
     */
    public static ApiClient apiClient(KubernetesClient client) {
        Objects.requireNonNull(client, "client must not be null");
        return apiClient(client.getConfiguration());
    }

    /**
     * An {@link ApiClient} for the server and credentials of a fabric8 {@link Config}, e.g. {@code
     * Config.autoConfigure(null)}; see the class comment for what is carried over.
     *
     * @throws IllegalArgumentException if the config has no master URL, has a client certificate without a key (or
     *     the reverse), names a key store or trust store file, or a certificate file cannot be read
     */
    public static ApiClient apiClient(Config config) {
        Objects.requireNonNull(config, "config must not be null");
        String master = config.getMasterUrl();
        if (master == null || master.isBlank()) {
            throw new IllegalArgumentException("the fabric8 config has no master URL");
        }
        rejectStoreFiles(config);
        boolean insecure = config.isTrustCerts();
        ClientBuilder builder = new ClientBuilder()
                .setBasePath(master.endsWith("/") ? master.substring(0, master.length() - 1) : master)
                .setVerifyingSsl(!insecure);
        if (config.isHttp2Disable()) {
            builder.setProtocols(List.of(Protocol.HTTP_1_1));
        }
        if (config.getTlsServerName() != null && !config.getTlsServerName().isBlank()) {
            builder.setTlsServerName(config.getTlsServerName());
        }
        byte[] ca = dataOrFile(config.getCaCertData(), config.getCaCertFile(), "CA certificate");
        if (ca != null) {
            builder.setCertificateAuthority(ca);
        }
        byte[] cert = dataOrFile(config.getClientCertData(), config.getClientCertFile(), "client certificate");
        byte[] key = dataOrFile(config.getClientKeyData(), config.getClientKeyFile(), "client key");
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("the fabric8 config has a client "
                    + (cert == null ? "key but no client certificate" : "certificate but no client key"));
        }
        if (cert != null) {
            builder.setAuthentication(new ClientCertificateAuthentication(cert, key));
        }
        ApiClient apiClient = builder.build();

        OkHttpClient.Builder http =
                apiClient.getHttpClient().newBuilder().addInterceptor(new Fabric8Credentials(config));
        Integer connect = config.getConnectionTimeout();
        if (connect != null && connect > 0) {
            http.connectTimeout(connect, TimeUnit.MILLISECONDS);
        }
        Integer request = config.getRequestTimeout();
        if (request != null && request > 0) {
            http.callTimeout(request, TimeUnit.MILLISECONDS);
        }
        boolean anyHost = !insecure && config.isDisableHostnameVerification();
        if (anyHost) {
            http.hostnameVerifier((hostname, session) -> true);
        }
        apiClient.setHttpClient(http.build());

        warnIfWeaker(config, insecure, anyHost);
        return apiClient;
    }

    /**
     * A supplier for {@code KubeTeardownExtension.forClient(...)} or a {@code @TeardownClient Supplier<ApiClient>}
     * field: it reads {@code client} when a cleanup runs (so the fabric8 client may be created later, e.g. in
     * {@code @BeforeAll}) and converts it once per fabric8 client instance. It gives {@code null} while
     * {@code client} does, which the extension reports as an unavailable client.
     */
    public static Supplier<ApiClient> supplier(Supplier<? extends KubernetesClient> client) {
        Objects.requireNonNull(client, "client supplier must not be null");
        return new Supplier<>() {
            private KubernetesClient source;
            private ApiClient converted;

            @Override
            public synchronized ApiClient get() {
                KubernetesClient current = client.get();
                if (current == null) {
                    return null;
                }
                if (current != source) {
                    converted = apiClient(current);
                    source = current;
                }
                return converted;
            }

            @Override
            public String toString() {
                return "ApiClient converted from a fabric8 KubernetesClient";
            }
        };
    }

    private static void rejectStoreFiles(Config config) {
        List<String> set = new ArrayList<>();
        if (config.getKeyStoreFile() != null && !config.getKeyStoreFile().isBlank()) {
            set.add("keyStoreFile");
        }
        if (config.getTrustStoreFile() != null && !config.getTrustStoreFile().isBlank()) {
            set.add("trustStoreFile");
        }
        if (!set.isEmpty()) {
            throw new IllegalArgumentException("the fabric8 config sets " + String.join(" and ", set)
                    + ", which cannot be carried over to client-java: use caCertData/caCertFile and"
                    + " clientCertData/clientKeyData (PEM) instead, or build the ApiClient yourself");
        }
    }

    private static void warnIfWeaker(Config config, boolean insecure, boolean anyHost) {
        if (insecure) {
            LOG.warn(
                    "the fabric8 config for {} sets trustCerts: this ApiClient does not verify the server's"
                            + " certificate nor its host name",
                    config.getMasterUrl());
        } else if (anyHost) {
            LOG.warn(
                    "the fabric8 config for {} sets disableHostnameVerification: this ApiClient does not verify the"
                            + " server's host name",
                    config.getMasterUrl());
        }
        boolean proxy = (config.getHttpProxy() != null && !config.getHttpProxy().isBlank())
                || (config.getHttpsProxy() != null && !config.getHttpsProxy().isBlank());
        if (proxy) {
            LOG.warn(
                    "the fabric8 config for {} names an HTTP(S) proxy; the converted ApiClient does not use it"
                            + " (it uses the JVM's ProxySelector, e.g. -Dhttps.proxyHost)",
                    config.getMasterUrl());
        }
    }

    /**
     * The bytes of a PEM given inline or as a file, as fabric8 reads them: inline data is base64 (as in a
     * kubeconfig), or the PEM itself when it is not valid base64.
     */
    private static byte[] dataOrFile(String data, String file, String what) {
        if (data != null && !data.isBlank()) {
            try {
                return Base64.getDecoder().decode(data.trim());
            } catch (IllegalArgumentException notBase64) {
                return data.getBytes(StandardCharsets.UTF_8);
            }
        }
        if (file != null && !file.isBlank()) {
            try {
                return Files.readAllBytes(Path.of(file));
            } catch (IOException e) {
                // the path is not secret; the content is never read into the message
                throw new IllegalArgumentException("cannot read the " + what + " file " + file + ": " + e, e);
            }
        }
        return null;
    }
}

package dev.kubeteardown.junit;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.kubeteardown.CleanupBuilder;
import dev.kubeteardown.KubernetesNames;
import dev.kubeteardown.NamespaceCleanup;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import java.time.Duration;
import java.util.Objects;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;

/**
 * A namespace created for each test (or once for the class that registered the extension), handed to the test
 * through {@link TeardownScope#namespace()}, and deleted, with a wait until it is gone, as the last step of the
 * matching after phase: after the other steps, so they clean what they own while the namespace still exists.
 * Because the deletion is one more step of that phase, {@link CleanupMode} and {@link FailurePolicy} apply to it as to
 * any step, and its outcome is part of the phase's report.
 *
 * @param prefix  the start of the namespace name, {@code <prefix>-<hash>} ({@link TeardownScope#uniqueName})
 * @param perClass {@code true}: one namespace for the class's tests; {@code false}: one per test
 * @param timeout how long the deletion and the wait until it is gone may take
 */
record NamespaceLifecycle(String prefix, boolean perClass, Duration timeout) {

    /** Default of {@link #timeout}: the engine's, {@value CleanupBuilder#DEFAULT_TIMEOUT_SECONDS} s. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(CleanupBuilder.DEFAULT_TIMEOUT_SECONDS);

    /** The longest prefix: the name is {@code <prefix>-<10 hex digits>}, a DNS label of at most 63 characters. */
    static final int MAX_PREFIX = KubernetesNames.MAX_LABEL_LENGTH - 11;

    private static final Namespace STORE = Namespace.create(KubeTeardownExtension.class, "namespace");
    private static final String KEY = "namespace";

    /** The namespace a context's tests use, kept where it was created; a test also sees its class's. */
    record Created(String name, String uniqueId) {}

    NamespaceLifecycle {
        Objects.requireNonNull(prefix, "namespace prefix must not be null");
        if (prefix.length() > MAX_PREFIX || !KubernetesNames.isDnsLabel(prefix)) {
            throw new IllegalArgumentException("namespace prefix must be a lower-case DNS label of at most "
                    + MAX_PREFIX + " characters, was \"" + prefix + "\"");
        }
        Objects.requireNonNull(timeout, "namespace timeout must not be null");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("namespace timeout must be positive, was " + timeout);
        }
    }

    static NamespaceLifecycle perTest(String prefix) {
        return new NamespaceLifecycle(prefix, false, DEFAULT_TIMEOUT);
    }

    static NamespaceLifecycle perClass(String prefix) {
        return new NamespaceLifecycle(prefix, true, DEFAULT_TIMEOUT);
    }

    NamespaceLifecycle withTimeout(Duration newTimeout) {
        return new NamespaceLifecycle(prefix, perClass, newTimeout);
    }

    /** The name for this scope: the same wherever it is computed for one test (or class) in one run. */
    String nameFor(TeardownScope scope) {
        return scope.uniqueName(prefix);
    }

    /** The namespace the test or class of this context uses, if one was created for it or an enclosing one. */
    static String lookUp(ExtensionContext context) {
        Created created = context.getStore(STORE).get(KEY, Created.class);
        return created == null ? null : created.name();
    }

    /** The namespace created for exactly this context (not an enclosing one): what its after phase deletes. */
    static String createdFor(ExtensionContext context) {
        Created created = context.getStore(STORE).get(KEY, Created.class);
        return created != null && created.uniqueId().equals(context.getUniqueId()) ? created.name() : null;
    }

    /**
     * Creates the namespace of this context, labelled with the scope's labels, and records it for
     * {@link TeardownScope#namespace()}.
     *
     * @param client resolves the client
     * @throws ExtensionConfigurationException when the namespace cannot be created, naming it and the server's answer
     */
    void create(ExtensionContext context, ClientSource client, String target) {
        if (createdFor(context) != null) {
            throw new ExtensionConfigurationException("a namespace " + target + " is already declared by another"
                    + " registered KubeTeardownExtension: declare namespacePerTest/namespacePerClass once");
        }
        TeardownScope scope = TeardownScope.of(context);
        String name = nameFor(scope);
        ApiClient apiClient;
        try {
            apiClient = client.resolve(context);
        } catch (ClientSource.ClientUnavailableException e) {
            throw new ExtensionConfigurationException(
                    "cannot create namespace \"" + name + "\" " + target + ": " + e.getMessage(), e);
        }
        V1Namespace namespace =
                new V1Namespace().metadata(new V1ObjectMeta().name(name).labels(scope.labels()));
        try {
            new CoreV1Api(apiClient).createNamespace(namespace).execute();
        } catch (ApiException e) {
            throw new ExtensionConfigurationException(
                    "cannot create namespace \"" + name + "\" " + target + ": " + answer(e) + hint(e, scope), e);
        }
        context.getStore(STORE).put(KEY, new Created(name, context.getUniqueId()));
        TeardownReporter.LOG.debug("created namespace {} {} (labels {})", name, target, scope.labels());
    }

    /** The step that deletes this namespace and waits until it is gone; described by name, even when skipped. */
    DeclaredStep deletion(String name) {
        return DeclaredStep.of(
                (client, scope) -> NamespaceCleanup.builder(client)
                        .names(name)
                        .timeout(timeout)
                        .build(),
                "namespace " + name);
    }

    /** "403 Forbidden: namespaces is forbidden: ..." from a Status body, or what is known without one. */
    static String answer(ApiException e) {
        if (e.getCode() == 0) {
            return "no answer from the server: " + (e.getCause() != null ? e.getCause() : e.getMessage());
        }
        String body = e.getResponseBody();
        String reason = "";
        String message = "";
        if (body != null && !body.isBlank()) {
            try {
                JsonElement json = JsonParser.parseString(body);
                if (json.isJsonObject()) {
                    JsonObject status = json.getAsJsonObject();
                    reason = string(status, "reason");
                    message = string(status, "message");
                }
            } catch (JsonParseException notJson) {
                message = body.strip();
            }
        }
        return e.getCode() + (reason.isEmpty() ? "" : " " + reason) + (message.isEmpty() ? "" : ": " + message);
    }

    private static String hint(ApiException e, TeardownScope scope) {
        return e.getCode() == 409
                ? " (left by an earlier run with the same run id \"" + scope.runId() + "\"? delete it, or set another "
                        + KubeTeardownExtension.RUN_ID_PROPERTY + ")"
                : "";
    }

    private static String string(JsonObject object, String member) {
        JsonElement value = object.get(member);
        return value != null && value.isJsonPrimitive() ? value.getAsString() : "";
    }

    @Override
    public String toString() {
        return "namespace " + prefix + "-* per " + (perClass ? "class" : "test");
    }
}

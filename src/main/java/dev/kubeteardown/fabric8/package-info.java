/**
 * For suites that already use fabric8's {@code KubernetesClient} (java-operator-sdk, Quarkus): turns a fabric8
 * client or {@code Config} into the client-java {@code ApiClient} that every kube-teardown step, plan and the JUnit
 * extension take, with the same server, TLS settings and credentials: {@link dev.kubeteardown.fabric8.Fabric8Clients}.
 *
 * <p>fabric8 ({@code io.fabric8:kubernetes-client-api} 8.0) is an optional dependency that only this package uses;
 * the engine never imports it.
 */
package dev.kubeteardown.fabric8;

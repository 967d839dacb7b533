package dev.kubeteardown.bench;

import dev.kubeteardown.cli.NaiveTeardown;
import dev.kubeteardown.longhorn.Longhorn;
import io.kubernetes.client.openapi.ApiClient;

/** The original suite's teardown after its 404 fix: {@link NaiveTeardown} with {@code tolerate404 = true}. */
final class NaiveVariant implements Variant {

    @Override
    public String name() {
        return "naive";
    }

    @Override
    public int parallelism() {
        return 1;
    }

    @Override
    public Kind kind() {
        return Kind.NAIVE;
    }

    @Override
    public Result run(ApiClient client) throws InterruptedException {
        NaiveTeardown.Result result = new NaiveTeardown(
                        client, Longhorn.DEFAULT_NAMESPACE, Longhorn.DEFAULT_API_VERSION, true, line -> {})
                .run();
        return new Result(result.succeeded(), result.failureMessage(), result);
    }
}

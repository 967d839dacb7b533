package dev.kubeteardown.sim;

import tools.jackson.databind.JsonNode;

/**
 * The parts of a {@code DeleteOptions} body (and query) the simulator honours: preconditions and dry run.
 * {@code propagationPolicy} and grace periods are accepted and ignored: there is no garbage collector, the
 * Longhorn controller removes what a BackupVolume owns.
 */
record DeleteRequest(ObjectStore.Preconditions preconditions, boolean dryRun) {

    static DeleteRequest parse(RequestInfo request, byte[] body) {
        boolean dryRun = request.dryRun();
        if (body == null || body.length == 0) {
            return new DeleteRequest(ObjectStore.Preconditions.NONE, dryRun);
        }
        JsonNode options = Json.parse(body);
        if (options.isNull()) {
            return new DeleteRequest(ObjectStore.Preconditions.NONE, dryRun);
        }
        JsonNode preconditions = options.path("preconditions");
        for (JsonNode mode : options.path("dryRun")) {
            if (!mode.isString() || !mode.stringValue().equals("All")) {
                throw StatusException.badRequest("dryRun: Unsupported value: " + mode + ": supported values: \"All\"");
            }
            dryRun = true;
        }
        return new DeleteRequest(
                new ObjectStore.Preconditions(
                        Json.text(preconditions, "uid"), Json.text(preconditions, "resourceVersion")),
                dryRun);
    }
}

package dev.kubeteardown.sim;

import tools.jackson.databind.node.ObjectNode;

/**
 * {@code kind} and {@code apiVersion} of a written object, as kube-apiserver handles them: the URL says what
 * is written, so a body may leave both out; a body that names another API version is a 400 BadRequest and
 * one that names another kind a 422 Invalid (the messages of kube-apiserver's create and update handlers and
 * of its custom resource validation).
 */
final class TypeMeta {

    private TypeMeta() {}

    /** Sets {@code kind} and {@code apiVersion} of {@code object} to those of {@code resource}, or throws. */
    static void apply(ApiResource resource, ObjectNode object) {
        String apiVersion = Json.text(object, "apiVersion");
        if (apiVersion != null && !apiVersion.isEmpty() && !apiVersion.equals(resource.apiVersion())) {
            throw StatusException.badRequest("the API version in the data (" + apiVersion
                    + ") does not match the expected API version (" + resource.apiVersion() + ")");
        }
        String kind = Json.text(object, "kind");
        if (kind != null && !kind.isEmpty() && !kind.equals(resource.kind())) {
            String name = Json.text(Json.metadata(object), "name");
            ApiResource named = new ApiResource(
                    resource.group(),
                    resource.version(),
                    kind,
                    resource.plural(),
                    resource.namespaced(),
                    resource.shortNames());
            throw StatusException.invalid(
                    named,
                    name == null ? "" : name,
                    "kind: Invalid value: \"" + kind + "\": must be " + resource.kind());
        }
        object.put("apiVersion", resource.apiVersion());
        object.put("kind", resource.kind());
    }
}

package dev.kubeteardown.sim;

/**
 * Which form of a resource the {@code Accept} header asks for, negotiated as kube-apiserver does for the
 * {@code as=PartialObjectMetadata(List);g=meta.k8s.io;v=v1} media type parameters: the first media range the server
 * can serve wins, so {@code ...;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json} gets metadata
 * here and whole objects from a server without that support.
 */
enum ResponseForm {
    /** The objects as stored. */
    FULL,
    /** {@code PartialObjectMetadata} items: kind, apiVersion {@code meta.k8s.io/v1} and the object's metadata. */
    METADATA;

    static final String META_API_VERSION = "meta.k8s.io/v1";

    /**
     * @param list whether the request is a list (which takes {@code PartialObjectMetadataList}); a single object
     *     or a watch takes {@code PartialObjectMetadata}
     * @throws StatusException 406 when no media range in the header can be served
     */
    static ResponseForm negotiate(String accept, boolean list) {
        if (accept == null || accept.isBlank()) {
            return FULL;
        }
        String wanted = list ? "PartialObjectMetadataList" : "PartialObjectMetadata";
        for (String range : accept.split(",")) {
            String[] parts = range.split(";");
            String type = parts[0].trim();
            if (!type.equals("application/json") && !type.equals("application/*") && !type.equals("*/*")) {
                continue;
            }
            String as = null;
            String group = null;
            String version = null;
            for (int i = 1; i < parts.length; i++) {
                String[] kv = parts[i].trim().split("=", 2);
                String value = kv.length == 2 ? kv[1].trim() : "";
                switch (kv[0].trim()) {
                    case "as" -> as = value;
                    case "g" -> group = value;
                    case "v" -> version = value;
                    default -> {}
                }
            }
            if (as == null) {
                return FULL;
            }
            if (as.equals(wanted) && "meta.k8s.io".equals(group) && "v1".equals(version)) {
                return METADATA;
            }
        }
        throw StatusException.notAcceptable();
    }
}

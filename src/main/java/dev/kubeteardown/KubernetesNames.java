package dev.kubeteardown;

import java.util.regex.Pattern;

/**
 * The name rules of Kubernetes, in one place: what every option naming a namespace, a type, a label or a run is
 * checked against before any request is sent.
 */
public final class KubernetesNames {

    /** Longest DNS label, label name (the part after a key's prefix) and label value: {@value}. */
    public static final int MAX_LABEL_LENGTH = 63;
    /** Longest DNS subdomain (an API group, a label key's prefix): {@value}. */
    public static final int MAX_SUBDOMAIN_LENGTH = 253;

    private static final String LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private static final Pattern DNS_LABEL = Pattern.compile(LABEL);
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile(LABEL + "(\\." + LABEL + ")*");
    private static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");

    private KubernetesNames() {}

    /** A lower-case RFC 1123 label such as a namespace or a plural: {@code [a-z0-9]([-a-z0-9]*[a-z0-9])?}, ≤ 63. */
    public static boolean isDnsLabel(String s) {
        return s != null
                && s.length() <= MAX_LABEL_LENGTH
                && DNS_LABEL.matcher(s).matches();
    }

    /** A lower-case RFC 1123 subdomain such as {@code longhorn.io}: dot-separated labels, ≤ 253 characters. */
    public static boolean isDnsSubdomain(String s) {
        return s != null
                && s.length() <= MAX_SUBDOMAIN_LENGTH
                && DNS_SUBDOMAIN.matcher(s).matches();
    }

    /**
     * A non-empty label value, which is also the rule for a label key's name part: at most 63 alphanumerics, '-',
     * '_' or '.', starting and ending with an alphanumeric.
     */
    public static boolean isLabelValue(String s) {
        return s != null
                && s.length() <= MAX_LABEL_LENGTH
                && LABEL_VALUE.matcher(s).matches();
    }
}

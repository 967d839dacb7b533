package dev.kubeteardown;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as Go (and so kubectl and Kubernetes YAML) writes them: a sequence of decimal numbers, each with an
 * optional fraction and a unit ({@code ns}, {@code us}/{@code µs}, {@code ms}, {@code s}, {@code m}, {@code h}),
 * e.g. {@code 250ms}, {@code 1.5s}, {@code 1h30m}; {@code 0} alone is zero. The one parser behind every duration
 * flag and plan file field.
 */
public final class GoDuration {

    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");
    private static final BigDecimal NANOS_PER_SECOND = BigDecimal.valueOf(1_000_000_000L);

    private GoDuration() {}

    /**
     * Parses a Go duration.
     *
     * @throws IllegalArgumentException naming the value and the expected form when it is not one (negative
     *                                  durations are refused: no timeout or age is negative)
     */
    public static Duration parse(String value) {
        if (value == null) {
            throw invalid("null");
        }
        String v = value.strip();
        if (v.equals("0") || v.equals("+0")) {
            return Duration.ZERO;
        }
        if (v.startsWith("+")) {
            v = v.substring(1);
        }
        Matcher m = PART.matcher(v);
        BigDecimal nanos = BigDecimal.ZERO;
        int end = 0;
        while (end < v.length() && m.find(end) && m.start() == end) {
            BigDecimal amount = new BigDecimal(m.group(1).endsWith(".") ? m.group(1) + "0" : m.group(1));
            nanos = nanos.add(amount.multiply(unitNanos(m.group(2))));
            end = m.end();
        }
        if (end == 0 || end != v.length() || nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw invalid(value); // too long for a Duration in nanoseconds (about 292 years) is no timeout either
        }
        return Duration.ofNanos(nanos.longValue());
    }

    private static BigDecimal unitNanos(String unit) {
        return switch (unit) {
            case "ns" -> BigDecimal.ONE;
            case "us", "µs", "μs" -> BigDecimal.valueOf(1_000L);
            case "ms" -> BigDecimal.valueOf(1_000_000L);
            case "s" -> NANOS_PER_SECOND;
            case "m" -> NANOS_PER_SECOND.multiply(BigDecimal.valueOf(60));
            default -> NANOS_PER_SECOND.multiply(BigDecimal.valueOf(3600));
        };
    }

    private static IllegalArgumentException invalid(String value) {
        return new IllegalArgumentException(
                "invalid duration '" + value + "' (use e.g. 250ms, 1.5s, 30s, 5m, 1h30m, or 0)");
    }
}

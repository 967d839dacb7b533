package dev.kubeteardown;

import java.io.IOException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * The one retry decision of the library (fabric8's rules): 429, 500, 502, 503, 504 and I/O errors are retried,
 * with {@code Retry-After} as a floor for the delay; everything else - 401 and 403 above all - is final.
 */
final class RetryPolicy {

    private RetryPolicy() {}

    /** The minimum delay before retrying this response, or empty when the response is final. */
    static Optional<Duration> retryFloor(KubeApi.HttpResult result) {
        return switch (result.code()) {
            case 429, 503 -> Optional.of(retryAfter(result.retryAfter()));
            case 500, 502, 504 -> Optional.of(Duration.ZERO);
            default -> Optional.empty();
        };
    }

    /** I/O errors are transient except a TLS peer that cannot be trusted: retrying cannot fix a certificate. */
    static boolean isRetryable(IOException error) {
        return !(error instanceof SSLPeerUnverifiedException) && !(error instanceof SSLHandshakeException);
    }

    /** {@code Retry-After} in seconds or as an HTTP date; absent or unparsable means no floor. */
    static Duration retryAfter(String header) {
        if (header == null || header.isBlank()) {
            return Duration.ZERO;
        }
        String value = header.trim();
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value)));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return d.isNegative() ? Duration.ZERO : d;
            } catch (RuntimeException notADate) {
                return Duration.ZERO;
            }
        }
    }
}

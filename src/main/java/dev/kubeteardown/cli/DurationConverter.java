package dev.kubeteardown.cli;

import dev.kubeteardown.GoDuration;
import java.time.Duration;
import picocli.CommandLine;

/** Durations as kubectl writes them (Go's syntax: {@code 250ms}, {@code 1.5s}, {@code 5m}, {@code 1h30m}, {@code 0}). */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    static Duration parse(String value) {
        try {
            return GoDuration.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}

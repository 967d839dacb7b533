package dev.kubeteardown.cli;

import dev.kubeteardown.CleanupBuilder;
import dev.kubeteardown.KubernetesNames;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Checks of flag values, made in a command's {@code call()} before any client or simulator exists, so that a bad
 * value is a usage error naming the flag (as kubectl's are), never a builder method, and nothing has started.
 */
final class Flags {

    /** A builder's words for what a flag sets, as the library's exceptions spell them, to the flag's name. */
    private static final Map<String, String> BUILDER_WORDS = Map.of(
            "olderThan", "--older-than",
            "finishedRuns", "--finished-run",
            "labelSelector", "--selector",
            "fieldSelector", "--field-selector",
            "parallelism", "--parallelism",
            "timeout", "--timeout",
            "namespace", "--namespace",
            "invalid label selector", "--selector: invalid label selector",
            "invalid field selector", "--field-selector: invalid field selector");

    // camelCase words wherever they are ("needs olderThan(...) or ..."); plain words only as the subject
    private static final Pattern BUILDER_WORD =
            Pattern.compile("\\b(olderThan|finishedRuns|labelSelector|fieldSelector)(\\(\\.\\.\\.\\))?"
                    + "|^(parallelism|timeout|namespace|invalid label selector|invalid field selector)\\b");

    private final CommandLine commandLine;

    private Flags(CommandLine commandLine) {
        this.commandLine = commandLine;
    }

    /** The checks for the command of {@code spec}; a failed check is that command's usage error. */
    static Flags of(CommandSpec spec) {
        return new Flags(spec.commandLine());
    }

    /** {@code --parallelism}, when given: from 1 to the engine's maximum. */
    Flags parallelism(Integer value) {
        if (value == null) {
            return this;
        }
        return atLeast("--parallelism", value, 1).atMost("--parallelism", value, CleanupBuilder.MAX_PARALLELISM);
    }

    Flags atLeast(String flag, long value, long min) {
        if (value < min) {
            throw usage(flag + " must be >= " + min + ", was " + value);
        }
        return this;
    }

    Flags atMost(String flag, long value, long max) {
        if (value > max) {
            throw usage(flag + " must be <= " + max + ", was " + value);
        }
        return this;
    }

    /** A deadline: more than zero (kubectl's {@code --timeout=0} means "forever", which a teardown never waits). */
    Flags positive(String flag, Duration value) {
        if (value != null && (value.isZero() || value.isNegative())) {
            throw usage(flag + " must be more than 0, was "
                    + value.toString().substring(2).toLowerCase(Locale.ROOT));
        }
        return this;
    }

    /** A namespace name, when given. */
    Flags namespace(String flag, String value) {
        if (value != null && !KubernetesNames.isDnsLabel(value)) {
            throw usage(flag + " must be a lower-case DNS label (a namespace name), was \"" + value + "\"");
        }
        return this;
    }

    /** Fails when {@code condition} does not hold. */
    Flags require(boolean condition, String message) {
        if (!condition) {
            throw usage(message);
        }
        return this;
    }

    ParameterException usage(String message) {
        return new ParameterException(commandLine, message);
    }

    /**
     * A library's message about a value with the flag that sets it in place of the builder's word, e.g.
     * {@code "olderThan must be >= 0"} as {@code "--older-than must be >= 0"}: what a user reads names what they
     * typed. For what only the library can check (a selector's syntax), and as a net for anything not checked here.
     */
    static String flagged(String message) {
        if (message == null) {
            return null;
        }
        Matcher matcher = BUILDER_WORD.matcher(message);
        StringBuilder result = new StringBuilder();
        while (matcher.find()) {
            String word = matcher.group(1) != null ? matcher.group(1) : matcher.group(3);
            matcher.appendReplacement(result, Matcher.quoteReplacement(BUILDER_WORDS.get(word)));
        }
        matcher.appendTail(result);
        return result.toString();
    }
}

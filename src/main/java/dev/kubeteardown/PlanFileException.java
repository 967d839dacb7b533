package dev.kubeteardown;

import java.io.Serializable;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A plan file that cannot be run: every problem found in it, each naming the file, the line and the field, e.g.
 * {@code teardown.yaml:7: steps[1].parallel[0].type: the server does not serve ...}. Nothing was deleted when this
 * is thrown: {@link PlanFile} reports every problem before it builds a plan.
 */
public class PlanFileException extends KubeTeardownException {

    private static final long serialVersionUID = 1L;

    /**
     * One problem in a plan file.
     *
     * @param file    the file's name as given to {@link PlanFile}
     * @param line    1-based line of the offending key or value; 0 when it is about the whole file
     * @param field   where in the plan, e.g. {@code steps[1].parallel[0].type}; empty for the whole file
     * @param message what is wrong
     */
    public record Problem(String file, int line, String field, String message) implements Serializable {
        /** {@code file:line: field: message}, as compilers print errors. */
        @Override
        public String toString() {
            return file + (line > 0 ? ":" + line : "") + ": " + (field.isEmpty() ? "" : field + ": ") + message;
        }
    }

    private static final Comparator<Problem> ORDER =
            Comparator.comparingInt(Problem::line).thenComparing(Problem::field);

    private final List<Problem> problems;

    /** Every problem of {@code file}; they are listed in the message sorted by line. */
    public PlanFileException(String file, List<Problem> problems) {
        this(file, problems, null);
    }

    /** Every problem of {@code file}, and the failure that caused them (an unreadable file). */
    public PlanFileException(String file, List<Problem> problems, Throwable cause) {
        super(message(file, problems), cause);
        this.problems = problems.stream().sorted(ORDER).toList();
    }

    /** The problems, sorted by line. */
    public List<Problem> problems() {
        return problems;
    }

    private static String message(String file, List<Problem> problems) {
        return "plan file " + file + " is not valid (" + problems.size() + " problem"
                + (problems.size() == 1 ? "" : "s") + "):"
                + problems.stream().sorted(ORDER).map(p -> "\n  " + p).collect(Collectors.joining());
    }
}

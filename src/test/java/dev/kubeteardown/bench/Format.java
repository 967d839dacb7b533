package dev.kubeteardown.bench;

import java.util.Locale;

/** Number formats shared by the report writers. */
final class Format {

    private Format() {}

    /** Seconds with three significant digits: {@code 0.0123}, {@code 1.23}, {@code 123}. */
    static String seconds(double s) {
        if (s >= 100) {
            return String.format(Locale.ROOT, "%.0f", s);
        }
        if (s >= 10) {
            return String.format(Locale.ROOT, "%.1f", s);
        }
        if (s >= 1) {
            return String.format(Locale.ROOT, "%.2f", s);
        }
        return String.format(Locale.ROOT, "%.3f", s);
    }

    static String ratio(double r) {
        return String.format(Locale.ROOT, r >= 10 ? "%.0fx" : "%.1fx", r);
    }

    static String ratioPlain(double r) {
        return String.format(Locale.ROOT, "%.2f", r);
    }

    static String megabytes(double bytes) {
        return bytes < 0 ? "-" : String.format(Locale.ROOT, "%.1f", bytes / 1e6);
    }

    static String count(double n) {
        return String.format(Locale.ROOT, "%,.0f", n);
    }
}

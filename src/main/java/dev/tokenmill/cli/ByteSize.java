package dev.tokenmill.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte counts as people type them: {@code 1048576}, {@code 256M}, {@code 1G}, {@code 1GiB}. K, M, G, T and
 * KiB, MiB, GiB, TiB are powers of 1024; KB, MB, GB, TB are powers of 1000 (as dd reads them).
 */
final class ByteSize {
    private static final Pattern FORMAT = Pattern.compile("(\\d+)\\s*(([KMGT])(I?B)?)?", Pattern.CASE_INSENSITIVE);

    private ByteSize() {}

    static long parse(String field, String text) {
        Matcher m = FORMAT.matcher(text.trim());
        if (!m.matches())
            throw new IllegalArgumentException(field + " must be a byte count such as 1048576, 256M, 1G or 1GiB, got '"
                    + text + "'");
        int power = m.group(3) == null ? 0 : "KMGT".indexOf(m.group(3).toUpperCase(Locale.ROOT)) + 1;
        long base = "B".equalsIgnoreCase(m.group(4)) ? 1000 : 1024;
        try {
            long value = Long.parseLong(m.group(1));
            for (int i = 0; i < power; i++) value = Math.multiplyExact(value, base);
            return value;
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException(field + " is too large: '" + text + "'");
        }
    }
}

package dev.tokenmill.backend;

import java.util.Locale;

/** Byte counts as people read them in messages: {@code 512 B}, {@code 1.50 GiB}. The one formatter of sizes. */
public final class Bytes {
    private Bytes() {}

    public static String text(long bytes) {
        if (bytes < 1024) return bytes + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.2f %s", v, units[u]);
    }
}

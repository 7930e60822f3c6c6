package dev.tokenmill.cuda;

/** Byte counts for messages: {@code 1.50 GiB}. */
final class Bytes {
    private Bytes() {}

    static String text(long bytes) {
        if (bytes < 1024) return bytes + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format("%.2f %s", v, units[u]);
    }
}

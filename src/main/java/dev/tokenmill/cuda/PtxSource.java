package dev.tokenmill.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One kernel family's PTX for one target: read from the jar ({@code /kernels/<family>.<target>.ptx}) or from a
 * directory ({@link PtxLibrary}); {@code origin} says which file, for the device description and the emulator's findings.
 */
record PtxSource(String family, String target, String text, String origin) {
    /** PTX packaged in the jar (or made by a test), named after its classpath resource. */
    PtxSource(String family, String target, String text) { this(family, target, text, PtxTarget.resource(family, target)); }

    /** The ISA version the PTX declares, e.g. 90 for {@code .version 9.0}. */
    int isa() { return PtxTarget.isaVersion(text); }

    /** What the PTX declares about one entry point: its parameters' sizes in bytes, and its block size limit (or 0). */
    record Entry(List<Integer> paramBytes, int maxThreads) {}

    private static final Pattern PARAM = Pattern.compile("\\.param\\s+(?:\\.align\\s+\\d+\\s+)?\\.([a-z])(\\d+)\\s+\\w+(?:\\[(\\d+)])?");
    private static final Pattern ENTRY = Pattern.compile("\\.entry\\s+(\\w+)\\s*\\(");
    private static final Pattern MAXNTID = Pattern.compile("\\s*\\.maxntid\\s+(\\d+)\\s*,\\s*(\\d+)\\s*,\\s*(\\d+)");

    /** The declaration of entry point {@code kernel}, if the PTX has it. */
    Optional<Entry> entry(String kernel) {
        int at = text.indexOf(".entry " + kernel + "(");
        if (at < 0) return Optional.empty();
        int open = at + ".entry ".length() + kernel.length(), close = text.indexOf(')', open);
        List<Integer> sizes = new ArrayList<>();
        Matcher p = PARAM.matcher(text.substring(open, close));
        while (p.find()) {
            int bits = Integer.parseInt(p.group(2));
            sizes.add(bits / 8 * (p.group(3) == null ? 1 : Integer.parseInt(p.group(3))));
        }
        Matcher m = MAXNTID.matcher(text).region(close + 1, text.length());
        int maxThreads = m.lookingAt() ? Integer.parseInt(m.group(1)) * Integer.parseInt(m.group(2)) * Integer.parseInt(m.group(3)) : 0;
        return Optional.of(new Entry(List.copyOf(sizes), maxThreads));
    }

    /** Every entry point the PTX declares, in file order. */
    List<String> entries() {
        List<String> names = new ArrayList<>();
        Matcher m = ENTRY.matcher(text);
        while (m.find()) names.add(m.group(1));
        return List.copyOf(names);
    }

    /** The best packaged PTX of {@code family} for compute capability {@code cc} (e.g. 90), if any runs there. */
    static Optional<PtxSource> find(String family, int cc) {
        return PtxTarget.best(cc, t -> PtxSource.class.getResource(PtxTarget.resource(family, t)) != null)
                .map(t -> new PtxSource(family, t, read(PtxTarget.resource(family, t))));
    }

    private static String read(String resource) {
        try (InputStream in = PtxSource.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException(resource + " vanished from the classpath");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + resource, e);
        }
    }
}

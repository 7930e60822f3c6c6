package dev.tokenmill.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** One kernel family's PTX for one target, read from the jar: {@code /kernels/<family>.<target>.ptx}. */
record PtxSource(String family, String target, String text) {
    /** The ISA version the PTX declares, e.g. 90 for {@code .version 9.0}. */
    int isa() { return PtxTarget.isaVersion(text); }

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

package dev.tokenmill.cuda;

import dev.tokenmill.backend.BackendException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where the GPU backends ({@code cuda} and {@code emu}) read their PTX: the copy packaged in the jar, or a directory
 * named by {@value #ENV}, so that a kernel author can edit a {@code .cu}, run {@code kernels/build.sh} and check the
 * result at once ({@code TOKENMILL_PTX_DIR=kernels/ptx ./tokenmill verify --backend emu}) without rebuilding the jar.
 * A directory replaces the jar for every family: a family it lacks is missing, never taken from the jar, so that a
 * mistyped directory cannot pass by checking the packaged kernels instead.
 */
final class PtxLibrary {
    /** The environment variable that names a directory of {@code <family>.<target>.ptx} files. */
    static final String ENV = "TOKENMILL_PTX_DIR";

    private static final PtxLibrary PACKAGED = new PtxLibrary(null);

    /** The directory, or null for the jar. */
    private final Path directory;

    private PtxLibrary(Path directory) { this.directory = directory; }

    /** The PTX packaged in the jar (kernels/ptx at build time). */
    static PtxLibrary packaged() { return PACKAGED; }

    /** The {@code <family>.<target>.ptx} files in {@code directory}, as {@code kernels/build.sh} writes them. */
    static PtxLibrary directory(Path directory) { return new PtxLibrary(directory.toAbsolutePath().normalize()); }

    /** {@value #ENV}'s directory when the variable is set (and not blank), else the jar. */
    static PtxLibrary fromEnvironment(Map<String, String> env) {
        String dir = env.get(ENV);
        return dir == null || dir.isBlank() ? PACKAGED : directory(Path.of(dir));
    }

    /** Why nothing can be read from here (a directory that is not one), or empty. */
    Optional<String> problem() {
        if (directory == null || Files.isDirectory(directory)) return Optional.empty();
        return Optional.of(ENV + "=" + directory + " is not a directory (it should hold the <family>.sm_80.ptx files "
                + "that kernels/build.sh writes to kernels/ptx)");
    }

    /** Where the PTX comes from, in words: {@code the jar} or the directory. */
    String where() { return directory == null ? "the jar" : ENV + "=" + directory; }

    /** The best PTX of {@code family} here for compute capability {@code cc} (e.g. 80), if any runs there. */
    Optional<PtxSource> find(String family, int cc) {
        if (directory == null) return PtxSource.find(family, cc);
        return PtxTarget.best(cc, t -> Files.isRegularFile(file(family, t))).map(t -> read(family, t));
    }

    private Path file(String family, String target) { return directory.resolve(family + "." + target + ".ptx"); }

    private PtxSource read(String family, String target) {
        Path f = file(family, target);
        try {
            return new PtxSource(family, target, Files.readString(f), f.toString());
        } catch (IOException e) {
            throw new BackendException("cannot read " + f + " (" + ENV + "): " + e.getMessage());
        }
    }
}

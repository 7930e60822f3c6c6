package dev.tokenmill.cli;

import dev.tokenmill.report.ResultFile;
import dev.tokenmill.report.ResultFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a run's result file goes. The directory is checked before the first trial ({@link #check}), so hours of
 * measurement never end in a place that cannot be written; and if writing there still fails at the end (the disk
 * filled, the directory went away), the result is written to the first rescue directory that takes it, and the
 * caller says where, rather than lose the run.
 */
final class ResultDestination {
    private final Path dir;
    private final List<Path> rescue;

    ResultDestination(Path dir, List<Path> rescue) {
        this.dir = dir;
        this.rescue = List.copyOf(rescue);
    }

    /**
     * {@code dir} checked as {@link OutputDirectory} checks it (exit 2 when it cannot be written), with the rescue
     * directories a run falls back to: {@code ~/tokenmill-rescued-results}, then the same under the temporary directory.
     */
    static ResultDestination check(Path dir) {
        String name = "tokenmill-rescued-results";
        return new ResultDestination(OutputDirectory.prepare("--out", dir), List.of(
                Path.of(System.getProperty("user.home"), name), Path.of(System.getProperty("java.io.tmpdir"), name)));
    }


    /**
     * Where a result file went: {@code file}, and {@code failure} (why it is not under the directory asked for),
     * null when it is.
     */
    record Saved(Path file, String failure) {}

    /** Writes {@code result} under the directory, or under a rescue directory when that fails (see the class comment). */
    Saved save(ResultFile result) {
        String failure;
        try {
            return new Saved(ResultFiles.write(dir, result), null);
        } catch (UncheckedIOException e) {
            failure = "cannot write the result file into " + dir + ": " + OutputDirectory.why(dir, e.getCause());
        }
        List<String> tried = new ArrayList<>();
        for (Path r : rescue) {
            try {
                return new Saved(ResultFiles.write(r, result), failure);
            } catch (UncheckedIOException e) {
                tried.add(r + ": " + OutputDirectory.why(r, e.getCause()));
            }
        }
        String lost = failure + "; no rescue directory took it either (" + String.join("; ", tried)
                + "), so the result is lost";
        throw new UncheckedIOException(lost, new IOException(lost));
    }
}

package dev.tokenmill.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * A directory a command writes into ({@code run --out}, {@code compare --out}), checked before any work is done,
 * so that a long run never ends in an unwritable place: the path must be given (an empty one would silently mean
 * the current directory), must not be a filesystem root, and must be a directory (created when missing) in which a
 * file can be created. Each refusal is one sentence that says why.
 */
final class OutputDirectory {
    /** Filesystems that hold no ordinary files: creating one there fails, or the file vanishes. */
    private static final Set<String> KERNEL_FILESYSTEMS = Set.of("proc", "sysfs", "devtmpfs", "devpts", "cgroup",
            "cgroup2", "debugfs", "tracefs", "securityfs", "configfs", "bpf", "pstore");

    private OutputDirectory() {}

    /**
     * The directory {@code dir} (given with {@code flag}), created when missing and shown to be writable by creating
     * and removing a file in it. Throws {@link IllegalArgumentException} (bad input: exit 2) saying why it cannot be.
     */
    static Path prepare(String flag, Path dir) {
        if (dir == null || dir.toString().isBlank())
            throw new IllegalArgumentException(flag + " needs a directory: an empty path would mean the current"
                    + " directory, so name it (" + flag + " . writes there)");
        Path absolute = dir.toAbsolutePath().normalize();
        if (absolute.getParent() == null)
            throw new IllegalArgumentException(flag + " " + dir + " is the filesystem root: give a directory of its own"
                    + " (e.g. " + flag + " results)");
        if (Files.exists(absolute) && !Files.isDirectory(absolute))
            throw new IllegalArgumentException(flag + " " + dir + " is a file, not a directory");
        try {
            Files.createDirectories(absolute);
            Files.delete(Files.createTempFile(absolute, ".tokenmill-probe-", ".tmp"));
            return dir;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write into " + flag + " " + dir + ": " + why(absolute, e), e);
        }
    }

    /** Why writing into {@code dir} failed, in words: not a directory, read-only, no permission, a kernel filesystem. */
    static String why(Path dir, IOException e) {
        Path existing = dir;
        while (existing != null && !Files.exists(existing)) existing = existing.getParent();
        if (existing != null && !Files.isDirectory(existing)) return existing + " is a file, not a directory";
        String type = existing == null ? null : fileStoreType(existing);
        if (type != null && KERNEL_FILESYSTEMS.contains(type))
            return existing + " is on a " + type + " filesystem, which the kernel keeps and which holds no files of ours";
        if (e instanceof AccessDeniedException) return "permission denied on " + e.getMessage();
        if (e instanceof FileSystemException f && f.getReason() != null) {
            String reason = f.getReason().toLowerCase(Locale.ROOT);
            if (reason.contains("read-only")) return (existing == null ? dir : existing) + " is on a read-only filesystem";
            return reason + " (" + f.getFile() + ")";
        }
        if (e instanceof NoSuchFileException) return e.getMessage() + " cannot be created";
        return String.valueOf(e.getMessage());
    }

    private static String fileStoreType(Path p) {
        try {
            return Files.getFileStore(p).type();
        } catch (IOException e) {
            return null;
        }
    }
}

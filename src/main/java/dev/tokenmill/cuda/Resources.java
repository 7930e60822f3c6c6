package dev.tokenmill.cuda;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** Frees device resources in a given order, all of them even when some fail. */
final class Resources {
    private Resources() {}

    /** Closes each non-null resource in order; returns the first failure (later ones suppressed in it), or null. */
    static RuntimeException closeAll(List<? extends AutoCloseable> resources) {
        RuntimeException first = null;
        for (AutoCloseable r : resources) {
            if (r == null) continue;
            try {
                r.close();
            } catch (Exception e) {
                if (first == null) first = e instanceof RuntimeException re ? re : new IllegalStateException(e);
                else first.addSuppressed(e);
            }
        }
        return first;
    }

    /** Closes each non-null resource in order, then throws the first failure. */
    static void close(AutoCloseable... resources) {
        RuntimeException failure = closeAll(Arrays.stream(resources).filter(Objects::nonNull).toList());
        if (failure != null) throw failure;
    }
}

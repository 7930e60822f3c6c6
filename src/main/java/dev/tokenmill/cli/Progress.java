package dev.tokenmill.cli;

import java.io.PrintWriter;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Says on stderr what a long {@code op} is doing (allocating and filling, verifying, warming up, timing): each phase
 * is announced only once it has lasted {@link #ANNOUNCE_AFTER_SECONDS}, so an ordinary op stays as quiet as before and
 * a shape that takes minutes to fill or verify is never silent.
 */
final class Progress implements Consumer<String>, AutoCloseable {
    /** Longer than a default op's warm-up (0.5 to 2 s) or timing (2 s), so only unusual waits are announced. */
    static final double ANNOUNCE_AFTER_SECONDS = 3;

    private final PrintWriter err;
    private final long delayNanos;
    private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tokenmill-progress");
        t.setDaemon(true);
        return t;
    });
    private ScheduledFuture<?> pending;

    Progress(PrintWriter err) { this(err, ANNOUNCE_AFTER_SECONDS); }

    Progress(PrintWriter err, double delaySeconds) {
        this.err = err;
        this.delayNanos = (long) (delaySeconds * 1e9);
    }

    /** A new phase begins (the previous one ended): {@code what} is printed if it is still going after the delay. */
    @Override public synchronized void accept(String what) {
        if (pending != null) pending.cancel(false);
        pending = clock.schedule(() -> err.println("tokenmill: " + what + " ..."), delayNanos, TimeUnit.NANOSECONDS);
    }

    /** The last phase ended: nothing more is printed. */
    @Override public synchronized void close() {
        if (pending != null) pending.cancel(false);
        clock.shutdownNow();
    }
}

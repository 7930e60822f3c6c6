package dev.tokenmill.measure;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Asks a run to stop, from another thread (a signal's shutdown hook, a test): no new trial starts, and the JMH forks
 * this VM started are ended, so none outlives the run. The run then keeps what it measured ({@link SuiteRun}).
 */
public final class RunStop {
    /** How long a fork has to exit after SIGTERM before it is killed. */
    private static final long GRACE_MILLIS = 2000;

    private volatile String reason;

    /** Stops the run, saying why (e.g. "a signal (SIGINT or SIGTERM)"); ends the forks running now. */
    public void request(String why) {
        if (reason == null) reason = why;
        endForks();
    }

    public boolean requested() { return reason != null; }

    /** Why the run was stopped, or null. */
    public String reason() { return reason; }

    /** Throws {@link Stopped} once a stop was requested: called before each trial and between steps. */
    void check() {
        if (reason != null) throw new Stopped(reason);
    }

    /**
     * Ends every process this VM started and that is still running (the JMH forks, and whatever they started):
     * SIGTERM, then SIGKILL for any that has not exited within {@link #GRACE_MILLIS}. Safe to call again, e.g. for a
     * fork that JMH started just before the stop was seen.
     */
    public static void endForks() {
        List<ProcessHandle> running = ProcessHandle.current().descendants().toList();
        running.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GRACE_MILLIS);
        for (ProcessHandle p : running) {
            try {
                p.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                p.destroyForcibly();
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The run was stopped (by {@link #request}, or by a failure of JMH itself); unwinds to {@link SuiteRun}, which
     * keeps what was measured.
     */
    static final class Stopped extends RuntimeException {
        Stopped(String reason) { super(reason, null, false, false); }
    }
}

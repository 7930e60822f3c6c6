package dev.tokenmill.cli;

import dev.tokenmill.measure.RunStop;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Turns SIGINT or SIGTERM during a run into a {@link RunStop}, and holds the VM's exit until the run has saved what it
 * measured (the VM runs shutdown hooks, then halts; the run's own thread goes on meanwhile). While it waits, it keeps
 * ending forks, in case JMH started one just before the stop reached it. Closing it says the run is done.
 */
final class StopOnSignal implements AutoCloseable {
    /** How long the VM waits for a stopped run to save its partial result before it exits anyway. */
    static final long SAVE_SECONDS = 30;

    private final RunStop stop;
    private final CountDownLatch done = new CountDownLatch(1);
    private final Thread hook = new Thread(this::onSignal, "tokenmill-stop");

    StopOnSignal(RunStop stop) {
        this.stop = stop;
        Runtime.getRuntime().addShutdownHook(hook);
    }

    private void onSignal() {
        stop.request("a signal (SIGINT or SIGTERM)");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SAVE_SECONDS);
        try {
            while (!done.await(250, TimeUnit.MILLISECONDS) && System.nanoTime() < deadline) RunStop.endForks();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        RunStop.endForks();
    }

    /** The run is over (finished, failed or saved after a stop): the VM may exit, and a later signal is not ours. */
    @Override public void close() {
        done.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running: it returns now that the run is done
        }
    }
}

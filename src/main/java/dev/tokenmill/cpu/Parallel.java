package dev.tokenmill.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.function.IntConsumer;

/** The CPU backend's worker pool: one thread per core, shared by every kernel. */
public final class Parallel {
    private static final ForkJoinPool POOL = new ForkJoinPool(Runtime.getRuntime().availableProcessors());

    private Parallel() {}

    public static int threads() { return POOL.getParallelism(); }

    /** Runs {@code body(i)} for i in [0, tasks) across the pool and waits for all of them. */
    public static void forEach(int tasks, IntConsumer body) {
        if (tasks <= 0) return;
        if (tasks == 1) {
            body.accept(0);
            return;
        }
        List<ForkJoinTask<?>> jobs = new ArrayList<>(tasks);
        for (int i = 0; i < tasks; i++) {
            int task = i;
            jobs.add(ForkJoinTask.adapt(() -> body.accept(task)));
        }
        if (ForkJoinTask.inForkJoinPool() && ForkJoinTask.getPool() == POOL) {
            ForkJoinTask.invokeAll(jobs);
        } else {
            POOL.submit(() -> ForkJoinTask.invokeAll(jobs)).join();
        }
    }
}

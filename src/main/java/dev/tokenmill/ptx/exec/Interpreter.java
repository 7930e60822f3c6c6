package dev.tokenmill.ptx.exec;

import dev.tokenmill.ptx.check.Findings;
import dev.tokenmill.ptx.count.Counters;
import dev.tokenmill.ptx.ir.Param;
import dev.tokenmill.ptx.ir.Program;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Launches decoded entries as cuLaunchKernel would. CTAs run in parallel on worker threads (one reusable
 * CTA each, pulling CTA numbers from a counter); counters are summed and findings merged in CTA order, so
 * every report is the same whatever the number of threads. CTAs of a correct kernel do not communicate,
 * so parallel CTAs leave global memory exactly as a sequential run would.
 */
public final class Interpreter implements AutoCloseable {
    /** Largest shared memory per CTA of the devices tokenmill targets (sm_90 opt-in: 227 KiB). */
    public static final int MAX_SHARED_PER_CTA = 232448;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final boolean CPU_TIME_SUPPORTED = THREADS.isCurrentThreadCpuTimeSupported();

    private final LaunchOptions options;
    private final ExecutorService pool;

    public Interpreter() {
        this(LaunchOptions.defaults());
    }

    public Interpreter(LaunchOptions options) {
        this.options = options;
        this.pool = options.parallelism() > 1
                ? Executors.newFixedThreadPool(options.parallelism(), r -> {
                    Thread t = new Thread(r, "ptx-cta");
                    t.setDaemon(true);
                    return t;
                })
                : null;
    }

    public LaunchOptions options() {
        return options;
    }

    /**
     * Runs {@code program} over {@code grid} x {@code block} threads. {@code params} is the parameter buffer
     * laid out per {@link Program#params()}. Launch errors that CUDA returns before running anything (bad
     * dimensions, too much shared memory, a parameter buffer of the wrong size) throw
     * IllegalArgumentException; everything the kernel does wrong is a finding in the report.
     */
    public LaunchReport launch(Program program, Dim3 grid, Dim3 block, int dynamicShared, byte[] params,
                               GlobalMemory memory) {
        validate(program, grid, block, dynamicShared, params);
        Launch launch = new Launch(program, grid, block, dynamicShared, params.clone(), memory, options);
        long ctas = grid.count();
        int workers = (int) Math.min(pool == null ? 1 : options.parallelism(), ctas);
        AtomicLong next = new AtomicLong();
        AtomicLong cpuNanos = new AtomicLong();
        boolean cpuTime = CPU_TIME_SUPPORTED && THREADS.isThreadCpuTimeEnabled();
        List<Counters> counters = new ArrayList<>();
        List<Map<Long, Findings>> found = new ArrayList<>();
        List<Future<?>> futures = new ArrayList<>();
        for (int k = 0; k < workers; k++) {
            Counters c = new Counters();
            Map<Long, Findings> f = new TreeMap<>();
            counters.add(c);
            found.add(f);
            Runnable worker = () -> {
                long cpu0 = cpuTime ? THREADS.getCurrentThreadCpuTime() : 0;
                Cta cta = new Cta(launch, c);
                for (long i = next.getAndIncrement(); i < ctas; i = next.getAndIncrement()) {
                    Findings fi = cta.run(i);
                    if (fi != null) f.put(i, fi);
                }
                if (cpuTime) cpuNanos.addAndGet(THREADS.getCurrentThreadCpuTime() - cpu0);
            };
            if (workers == 1) worker.run();
            else futures.add(pool.submit(worker));
        }
        for (Future<?> fu : futures) {
            try {
                fu.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while " + program.name() + " ran", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("the interpreter failed running " + program.name() + ": " + e.getCause(), e.getCause());
            }
        }
        Counters total = new Counters();
        counters.forEach(total::add);
        TreeMap<Long, Findings> ordered = new TreeMap<>();
        found.forEach(ordered::putAll);
        Findings all = new Findings(options.maxFindings());
        ordered.values().forEach(all::addAll);
        int staticShared = program.staticShared();
        int dyn = launch.sharedBytes() - staticShared;
        return new LaunchReport(program.name(), grid, block, staticShared, dyn, total, all.list(), all.total(),
                cpuTime ? cpuNanos.get() : -1);
    }

    private static void validate(Program p, Dim3 grid, Dim3 block, int dynamicShared, byte[] params) {
        String k = p.name();
        if (block.count() > 1024 || block.z() > 64) {
            throw new IllegalArgumentException(k + ": block " + block + " exceeds 1024 threads (or z > 64)");
        }
        if (p.maxThreads() != null && block.count() > (long) p.maxThreads()[0] * p.maxThreads()[1] * p.maxThreads()[2]) {
            throw new IllegalArgumentException(k + ": block " + block + " exceeds the kernel's .maxntid "
                    + p.maxThreads()[0] + "," + p.maxThreads()[1] + "," + p.maxThreads()[2]);
        }
        int[] req = p.requiredThreads();
        if (req != null && (block.x() != req[0] || block.y() != req[1] || block.z() != req[2])) {
            throw new IllegalArgumentException(k + ": block " + block + " differs from the kernel's .reqntid");
        }
        if (grid.y() > 65535 || grid.z() > 65535) throw new IllegalArgumentException(k + ": grid " + grid + " has y or z above 65535");
        if (dynamicShared < 0) throw new IllegalArgumentException(k + ": dynamic shared memory must be >= 0, got " + dynamicShared);
        long shared = dynamicShared > 0 ? (long) p.dynamicSharedBase() + dynamicShared : p.staticShared();
        if (shared > MAX_SHARED_PER_CTA) {
            throw new IllegalArgumentException(k + ": " + shared + " bytes of shared memory per CTA exceed " + MAX_SHARED_PER_CTA);
        }
        if (params.length != p.paramBytes()) {
            StringBuilder sb = new StringBuilder();
            for (Param q : p.params()) sb.append(' ').append(q.name()).append('@').append(q.offset()).append(':').append(q.size());
            throw new IllegalArgumentException(k + ": parameter buffer has " + params.length + " bytes, the entry declares "
                    + p.paramBytes() + " (" + sb.toString().trim() + ")");
        }
    }

    @Override
    public void close() {
        if (pool != null) pool.shutdownNow();
    }
}

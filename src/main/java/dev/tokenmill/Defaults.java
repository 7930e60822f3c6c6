package dev.tokenmill;

/**
 * Every default a user can change (by a flag, or by using the library directly), in one place, each with the reason
 * for its value. Classes that apply a default take it from here, so that the help text, the code and the docs agree.
 * This class depends on nothing in tokenmill.
 */
public final class Defaults {
    private Defaults() {}

    /** Seed of every random input ({@code --seed}): fixed, so that two runs verify and time the same operands. */
    public static final long SEED = 20261125L;

    /** Backend ({@code --backend}): {@code auto} takes the GPU when one works, else the CPU, and says which. */
    public static final String BACKEND = "auto";

    /** Model preset ({@code run --model}): Llama-3.1-8B, the most common open model that serving stacks benchmark. */
    public static final String MODEL = "llama-3.1-8b";

    /** Suites ({@code run --suite}): both phases, prefill and decode, since they are bound by different ceilings. */
    public static final String SUITE = "all";

    /** Where {@code run} writes result files ({@code --out}): the directory {@code compare} reads and the repo commits. */
    public static final String RESULTS_DIR = "results";

    /** Element type of a single op ({@code op --dtype}): bf16, what checkpoints ship and servers run. */
    public static final String DTYPE = "bf16";

    /** {@code op --min-time}: two seconds of timed samples give stable percentiles for ops from microseconds up. */
    public static final double OP_MIN_TIME_SECONDS = 2.0;

    /**
     * {@code op --warmup}: half a second of untimed calls at least, then until the JIT is quiet (see measure/Timer);
     * the JIT-quiet rule, not this figure, makes the warm-up long enough for slow kernels.
     */
    public static final double OP_WARMUP_SECONDS = 0.5;

    /** Samples {@code op} takes at the least, so that a p50 is a median of several samples even for a slow op. */
    public static final int OP_MIN_SAMPLES = 10;

    /** Samples {@code op} takes at the most: HdrHistogram needs no more for p99.9, and memory stays small. */
    public static final int OP_MAX_SAMPLES = 100_000;

    /**
     * Working set rotated through by bandwidth-bound timings, as a multiple of the largest cache the device reports
     * (LLC on a CPU, L2 on a GPU): four times is far enough past it that hits are rare under any replacement policy.
     */
    public static final int WORKING_SET_CACHE_MULTIPLE = 4;

    /** ... and never less than this, for CPUs that do not report their caches or that have very large ones. */
    public static final long WORKING_SET_FLOOR_BYTES = 256L << 20;

    /** The most memory rotation may take: beyond 8 GiB more sets add set-up time, not accuracy. */
    public static final long MAX_ROTATION_BYTES = 8L << 30;

    /** The share of a device's memory benchmarks may take, leaving room for the driver, the JVM and other processes. */
    public static final double USABLE_MEMORY_SHARE = 0.8;

    /**
     * Confidence of each record's interval of the median and of a comparison's interval of a ratio: 95%, as benchstat
     * and JMH report, so the intervals read the same as theirs.
     */
    public static final double CONFIDENCE = 0.95;

    /**
     * {@code compare --alpha}: a change is significant when the Mann-Whitney U p-value is below this; 0.05 is
     * benchstat's default, and with ten samples a side it still detects a 5% change in a 2%-noisy kernel.
     */
    public static final double ALPHA = 0.05;

    /**
     * JMH forks per trial in {@code run} (the CI-sized and full plans): two, so that a record's samples span two JVMs
     * and a comparison sees the fork-to-fork part of the noise (JIT decisions, memory placement), not one fork's.
     */
    public static final int RUN_FORKS = 2;

    /**
     * Measurement iterations per fork in {@code run}: with two forks, ten samples per record, whose 95% interval of
     * the median runs from the 2nd to the 9th (at least six are needed for any 95% interval).
     */
    public static final int RUN_ITERATIONS = 5;

    /** Measurement iterations of {@code run --quick} (one fork): six, the fewest that give a 95% interval of the median. */
    public static final int QUICK_ITERATIONS = 6;

    /**
     * What {@code run --dry-run} and the progress line's first estimate count for starting one JMH fork (the VM, the
     * operand sets allocated and filled, the kernel verified): 5 s, as measured on a 2-core CPU, where a
     * {@code run --quick} took 4-5 s per trial beyond its iterations (results/cpu-amd-epyc-2c/2026-11-25T14-28-07Z.log).
     * The progress line then revises its estimate with the trials' real durations.
     */
    public static final double FORK_START_SECONDS = 5;
}

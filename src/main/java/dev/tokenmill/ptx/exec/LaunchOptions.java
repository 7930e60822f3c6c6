package dev.tokenmill.ptx.exec;

/**
 * How the interpreter runs a launch: which checks are on (memcheck-style bounds, alignment and null
 * checks are always on: an access outside memory is never performed), how many distinct findings to
 * keep, how many worker threads run CTAs, and how many warp instructions one CTA may execute before it is
 * stopped as a runaway (an infinite loop would otherwise hang the caller).
 */
public record LaunchOptions(boolean racecheck, boolean initcheck, int maxFindings, int parallelism,
                            long maxWarpInstructionsPerCta) {
    public static LaunchOptions defaults() {
        return new LaunchOptions(true, true, 64, Runtime.getRuntime().availableProcessors(), 1L << 32);
    }

    public LaunchOptions withParallelism(int threads) {
        return new LaunchOptions(racecheck, initcheck, maxFindings, threads, maxWarpInstructionsPerCta);
    }

    public LaunchOptions withChecks(boolean race, boolean init) {
        return new LaunchOptions(race, init, maxFindings, parallelism, maxWarpInstructionsPerCta);
    }

    public LaunchOptions withInstructionLimit(long warpInstructionsPerCta) {
        return new LaunchOptions(racecheck, initcheck, maxFindings, parallelism, warpInstructionsPerCta);
    }
}

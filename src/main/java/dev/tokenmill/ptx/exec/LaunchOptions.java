package dev.tokenmill.ptx.exec;

/**
 * How the interpreter runs a launch: which checks are on (memcheck-style bounds, alignment and null
 * checks are always on: an access outside memory is never performed), how many distinct findings to
 * keep, and how many worker threads run CTAs.
 */
public record LaunchOptions(boolean racecheck, boolean initcheck, int maxFindings, int parallelism) {
    public static LaunchOptions defaults() {
        return new LaunchOptions(true, true, 64, Runtime.getRuntime().availableProcessors());
    }

    public LaunchOptions withParallelism(int threads) {
        return new LaunchOptions(racecheck, initcheck, maxFindings, threads);
    }

    public LaunchOptions withChecks(boolean race, boolean init) {
        return new LaunchOptions(race, init, maxFindings, parallelism);
    }
}

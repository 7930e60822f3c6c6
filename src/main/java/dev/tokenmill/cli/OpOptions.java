package dev.tokenmill.cli;

import dev.tokenmill.Defaults;
import dev.tokenmill.measure.Timer;
import picocli.CommandLine.Option;

/** The options every {@code op} subcommand shares: where to run, how long to time, how to print. */
final class OpOptions {
    @Option(names = "--backend", order = 100, paramLabel = "auto|cpu|cuda|emu",
            description = "Where to run: auto (the GPU when one works, else the CPU), cpu, cuda, or emu (the CUDA kernels "
                    + "in the PTX emulator: verified, then counted instead of timed). Default: auto.")
    String backend = Defaults.BACKEND;

    @Option(names = "--json", order = 101, description = "Print exactly one JSON object on stdout instead of the table.")
    boolean json;

    @Option(names = "--seed", order = 102, description = "Seed of the random inputs. Default: ${DEFAULT-VALUE}.")
    long seed = Defaults.SEED;

    @Option(names = "--min-time", order = 103, paramLabel = "SECONDS",
            description = "Keep timing until this much time has passed (and at least " + Defaults.OP_MIN_SAMPLES
                    + " samples). Default: ${DEFAULT-VALUE}.")
    double minTime = Defaults.OP_MIN_TIME_SECONDS;

    @Option(names = "--warmup", order = 104, paramLabel = "SECONDS", description = "Untimed calls first: at least this long, then until a 0.1 s window with no JIT compilation "
            + "agrees with the previous one within 3 %% (at most 4 times this long). Default: ${DEFAULT-VALUE}.")
    double warmup = Defaults.OP_WARMUP_SECONDS;

    /** The timer these options ask for; negative or non-finite durations are rejected by name. */
    Timer timer() {
        return new Timer(seconds("warmup", warmup), seconds("min-time", minTime), Defaults.OP_MIN_SAMPLES, Defaults.OP_MAX_SAMPLES);
    }

    private static double seconds(String field, double value) {
        if (!(value >= 0 && value <= 3600))
            throw new IllegalArgumentException(field + " must be in 0..3600 seconds, got " + value);
        return value;
    }
}

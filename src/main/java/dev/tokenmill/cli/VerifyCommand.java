package dev.tokenmill.cli;

import dev.tokenmill.Defaults;
import dev.tokenmill.backend.Backend;
import dev.tokenmill.backends.BackendCatalog;
import dev.tokenmill.backend.PrepareOptions;
import dev.tokenmill.backend.PreparedOp;
import dev.tokenmill.op.AppendSpec;
import dev.tokenmill.op.DecodeSpec;
import dev.tokenmill.op.KvCache;
import dev.tokenmill.op.OpSpec;
import dev.tokenmill.reference.Verification;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code tokenmill verify}: every op kind in every dtype, on small random and awkward shapes ({@link VerifyCases}),
 * on every working backend, against the float64 reference. One line per check, a count, exit 1 if any fails.
 */
@Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Checks every kernel on every working backend against the float64 reference.")
final class VerifyCommand implements Callable<Integer> {
    @Option(names = "--backend", paramLabel = "auto|cpu|cuda",
            description = "Check only this backend. Default: every backend that works here.")
    String backend;

    @Option(names = "--quick", description = "A few shapes per op kind instead of all of them.")
    boolean quick;

    @Option(names = "--seed", description = "Seed of the random shapes and inputs. Default: ${DEFAULT-VALUE}.")
    long seed = Defaults.SEED;

    @Spec CommandSpec command;

    @Override public Integer call() {
        PrintWriter out = command.commandLine().getOut();
        List<Backend> backends = backend == null ? BackendCatalog.builtIn() : List.of(BackendCatalog.select(backend));
        List<OpSpec> cases = VerifyCases.of(quick, seed);
        int passed = 0, failed = 0;
        for (Backend b : backends) {
            try (b) {
                if (!b.availability().available()) {
                    out.println("skip  " + b.name() + ": " + b.availability().reason());
                    continue;
                }
                for (OpSpec spec : cases) {
                    Outcome o = check(b, spec);
                    out.println(String.format(Locale.ROOT, "%-5s %-4s %-7s %-4s %s  %s", o.passed() ? "ok" : "FAIL",
                            b.name(), spec.op(), spec.dtype().id(), describe(spec), o.detail()));
                    if (o.passed()) passed++;
                    else failed++;
                }
            }
        }
        out.println("verify: " + (passed + failed) + " checks, " + passed + " passed, " + failed + " failed"
                + " (random shapes from --seed " + seed + ")");
        return failed == 0 ? 0 : 1;
    }

    private record Outcome(boolean passed, String detail) {}

    /** One check; a kernel that throws fails its check, and the other checks still run. */
    private Outcome check(Backend b, OpSpec spec) {
        try (PreparedOp op = b.prepare(spec, new PrepareOptions(seed, 0, 0))) {
            Verification v = op.verify();
            return new Outcome(v.passed(), op.variant() + " " + v.summary());
        } catch (RuntimeException e) {
            return new Outcome(false, String.valueOf(e.getMessage()));
        }
    }

    /** The shape, with the ragged lengths spelled out so a failure can be reproduced. */
    private static String describe(OpSpec spec) {
        KvCache cache = switch (spec) {
            case DecodeSpec d -> d.cache();
            case AppendSpec a -> a.cache();
            default -> null;
        };
        return spec.shapeText() + (cache == null || cache.isUniform() ? "" : " seq_lens=" + Arrays.toString(cache.seqLens()).replace(" ", ""));
    }
}

package dev.tokenmill.cli;

import dev.tokenmill.Defaults;
import dev.tokenmill.backend.Backend;
import dev.tokenmill.backend.EntryTally;
import dev.tokenmill.backend.PeakProbe;
import dev.tokenmill.backends.BackendCatalog;
import dev.tokenmill.backend.PrepareOptions;
import dev.tokenmill.backend.PreparedOp;
import dev.tokenmill.op.AppendSpec;
import dev.tokenmill.op.DType;
import dev.tokenmill.op.DecodeSpec;
import dev.tokenmill.op.KvCache;
import dev.tokenmill.op.OpSpec;
import dev.tokenmill.reference.Verification;
import dev.tokenmill.report.TextTable;
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
 * and each dtype's compute-peak probe, on every working backend, against the float64 reference (the probes: their
 * exact value). One line per check, a count, exit 1 if any fails. A backend that looks inside its kernels (the PTX
 * emulator) then lists every entry point of its kernel modules, with its launches, verified calls and findings.
 *
 * <p>Without {@code --backend} the emulator is one of the backends checked: it works everywhere, and it is the only
 * check of the CUDA kernels on a machine without a GPU; the full set of cases takes it some 10 s on 2 cores.
 */
@Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Checks every kernel on every working backend against the float64 reference.")
final class VerifyCommand implements Callable<Integer> {
    @Option(names = "--backend", paramLabel = "auto|cpu|cuda|emu",
            description = "Check only this backend. Default: every backend that works here (emu works everywhere).")
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
                    out.println(line(o, b, spec.op(), spec.dtype(), describe(spec)));
                    if (o.passed()) passed++;
                    else failed++;
                }
                for (DType t : DType.values()) {
                    Outcome o = checkPeak(b, t);
                    if (o == null) continue;
                    out.println(line(o, b, "peak", t, "compute-peak probe"));
                    if (o.passed()) passed++;
                    else failed++;
                }
                List<EntryTally> entries = b.entryTallies();
                if (!entries.isEmpty()) out.print(entryTable(b.name(), entries));
            }
        }
        out.println("verify: " + (passed + failed) + " checks, " + passed + " passed, " + failed + " failed"
                + " (random shapes from --seed " + seed + ")");
        return failed == 0 ? 0 : 1;
    }

    private record Outcome(boolean passed, String detail) {}

    private static String line(Outcome o, Backend b, String what, DType t, String shape) {
        return String.format(Locale.ROOT, "%-5s %-4s %-7s %-4s %s  %s", o.passed() ? "ok" : "FAIL", b.name(), what, t.id(),
                shape, o.detail());
    }

    /** The probe's one call against its exact value; null where the backend has no probe. */
    private static Outcome checkPeak(Backend b, DType t) {
        try (PeakProbe probe = b.preparePeak(t)) {
            Verification v = probe.verify();
            return new Outcome(v.passed(), probe.variant() + " " + v.summary());
        } catch (UnsupportedOperationException e) {
            return null;
        } catch (RuntimeException e) {
            return new Outcome(false, String.valueOf(e.getMessage()));
        }
    }

    /**
     * Every entry point of the backend's kernel modules: launches, verified calls that launched it (passed, failed)
     * and findings, and how many entries never ran.
     */
    static String entryTable(String backend, List<EntryTally> entries) {
        TextTable t = new TextTable(List.of("module", "entry", "launches", "passed", "failed", "findings"));
        for (EntryTally e : entries)
            t.add(List.of(e.module(), e.entry(), String.valueOf(e.launches()), String.valueOf(e.passedCases()),
                    String.valueOf(e.failedCases()), String.valueOf(e.findings())));
        long idle = entries.stream().filter(e -> e.launches() == 0).count();
        return backend + ": every PTX entry of the kernel modules (launches; verified calls that launched it, passed and "
                + "failed; findings):\n" + t.text() + backend + ": " + (entries.size() - idle) + " of " + entries.size()
                + " entries launched" + (idle == 0 ? "" : ", " + idle + " never (listed with 0)") + "\n";
    }

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

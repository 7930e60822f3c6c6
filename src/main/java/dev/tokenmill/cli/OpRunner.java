package dev.tokenmill.cli;

import dev.tokenmill.backend.Backend;
import dev.tokenmill.backend.Bytes;
import dev.tokenmill.backend.DeviceInfo;
import dev.tokenmill.backend.MemoryGuard;
import dev.tokenmill.backend.PrepareOptions;
import dev.tokenmill.backend.PreparedOp;
import dev.tokenmill.measure.LatencyStats;
import dev.tokenmill.measure.Timer;
import dev.tokenmill.backend.WorkingSet;
import dev.tokenmill.op.OpSpec;
import dev.tokenmill.reference.Verification;

import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Verify, then time: refuses a shape whose operands cannot fit the device ({@link MemoryGuard}), prepares the op
 * with enough rotating operand sets to defeat the device's caches, checks one call against the float64 reference,
 * and times it only when that check passes. A backend that cannot time (the PTX emulator) gets one operand set, is
 * verified and reports what its kernels did ({@link PreparedOp#counters()}) instead.
 */
final class OpRunner {
    private OpRunner() {}

    /** {@code phases} hears each phase as it begins (preparing, verifying, warming up, timing), in words. */
    static OpReport run(Backend backend, OpSpec spec, long seed, Timer timer, Consumer<String> phases) {
        DeviceInfo device = backend.device();
        Optional<String> untimed = backend.cannotTime();
        PrepareOptions cold = WorkingSet.coldCaches(device);
        PrepareOptions options = untimed.isPresent() ? new PrepareOptions(seed, 0, 0) // nothing timed: nothing to rotate
                : new PrepareOptions(seed, cold.minWorkingSetBytes(), cold.maxWorkingSetBytes());
        // a shape that cannot fit is bad input, refused before anything is allocated (not an out-of-memory error later)
        MemoryGuard.check(spec, options, device).ifPresent(why -> { throw new IllegalArgumentException(why); });
        phases.accept("preparing: allocating up to " + Bytes.text(MemoryGuard.needed(spec, options))
                + " of operands and filling them with random inputs");
        try (PreparedOp op = backend.prepare(spec, options)) {
            phases.accept("verifying " + op.variant() + " against the float64 reference");
            Verification verification = op.verify();
            LatencyStats latency = verification.passed() && untimed.isEmpty() ? timer.time(op, phases) : null;
            return new OpReport(spec, backend.name(), device, op.variant(), op.clock(), op.sets(),
                    options.minWorkingSetBytes(), verification, latency, Map.of(), false, untimed.orElse(null),
                    op.counters().orElse(null));
        }
    }
}

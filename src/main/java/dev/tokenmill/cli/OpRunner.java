package dev.tokenmill.cli;

import dev.tokenmill.backend.Backend;
import dev.tokenmill.backend.DeviceInfo;
import dev.tokenmill.backend.MemoryGuard;
import dev.tokenmill.backend.PrepareOptions;
import dev.tokenmill.backend.PreparedOp;
import dev.tokenmill.measure.LatencyStats;
import dev.tokenmill.measure.Timer;
import dev.tokenmill.backend.WorkingSet;
import dev.tokenmill.op.OpSpec;
import dev.tokenmill.reference.Verification;

/**
 * Verify, then time: refuses a shape whose operands cannot fit the device ({@link MemoryGuard}), prepares the op
 * with enough rotating operand sets to defeat the device's caches, checks one call against the float64 reference,
 * and times it only when that check passes.
 */
final class OpRunner {
    private OpRunner() {}

    static OpReport run(Backend backend, OpSpec spec, long seed, Timer timer) {
        DeviceInfo device = backend.device();
        PrepareOptions cold = WorkingSet.coldCaches(device);
        PrepareOptions options = new PrepareOptions(seed, cold.minWorkingSetBytes(), cold.maxWorkingSetBytes());
        // a shape that cannot fit is bad input, refused before anything is allocated (not an out-of-memory error later)
        MemoryGuard.check(spec, options, device).ifPresent(why -> { throw new IllegalArgumentException(why); });
        try (PreparedOp op = backend.prepare(spec, options)) {
            Verification verification = op.verify();
            LatencyStats latency = verification.passed() ? timer.time(op) : null;
            return new OpReport(spec, backend.name(), device, op.variant(), op.clock(), op.sets(),
                    options.minWorkingSetBytes(), verification, latency);
        }
    }
}

package dev.tokenmill.backend;

import dev.tokenmill.Defaults;
import dev.tokenmill.op.OpSpec;
import dev.tokenmill.tensor.Operands;

import java.util.Locale;
import java.util.Optional;

/**
 * Says when an op's operands cannot fit on the device (e.g. a 128k-token KV cache for 128 sequences on a 24 GiB
 * machine), before anything is allocated: the rotating sets plus the fresh set verification uses, against a
 * share of the device's memory that leaves room for everything else running there.
 */
public final class MemoryGuard {
    private MemoryGuard() {}

    /** Bytes preparing and verifying {@code spec} with {@code options} needs: the rotating sets and one more. */
    public static long needed(OpSpec spec, PrepareOptions options) {
        long set = Operands.allocationBytes(spec);
        return Math.multiplyExact(set, options.sets(set) + 1L);
    }

    /** Why {@code spec} cannot run on {@code device}, or empty when it fits (or the device does not say its size). */
    public static Optional<String> check(OpSpec spec, PrepareOptions options, DeviceInfo device) {
        if (!(device.properties().get("memory_bytes") instanceof Number total)) return Optional.empty();
        long need = needed(spec, options);
        long usable = (long) (total.doubleValue() * Defaults.USABLE_MEMORY_SHARE);
        if (need <= usable) return Optional.empty();
        return Optional.of(String.format(Locale.ROOT, "%s %s needs %s of operands, more than the %.0f%% of %s's %s it may use",
                spec.op(), spec.shapeText(), Bytes.text(need), Defaults.USABLE_MEMORY_SHARE * 100, device.name(), Bytes.text(total.longValue())));
    }
}

package dev.tokenmill.measure;

import dev.tokenmill.backend.DeviceInfo;
import dev.tokenmill.backend.PrepareOptions;
import dev.tokenmill.op.AppendSpec;
import dev.tokenmill.op.DecodeSpec;
import dev.tokenmill.op.OpSpec;

import java.util.Optional;

/**
 * Says when an op's operands cannot fit on the device (e.g. a 128k-token KV cache for 128 sequences on a 24 GiB
 * machine), before anything is allocated: the rotating sets plus the fresh set verification uses, against a
 * share of the device's memory that leaves room for everything else running there.
 */
public final class MemoryGuard {
    /** The share of device memory benchmarks may take. */
    public static final double USABLE_SHARE = 0.8;

    private MemoryGuard() {}

    /** Bytes one operand set of {@code spec} occupies (a paged pool rounds each sequence up to whole blocks). */
    public static long setBytes(OpSpec spec) {
        int size = spec.dtype().bytes();
        return switch (spec) {
            case DecodeSpec d -> (2 * d.cache().cacheElements() + 2L * d.batch() * d.heads() * d.headDim()) * size;
            case AppendSpec a -> (2 * a.cache().cacheElements()
                    + 2L * a.cache().batch() * a.cache().kvHeads() * a.cache().headDim()) * size;
            default -> spec.minBytes();
        };
    }

    /** Bytes preparing and verifying {@code spec} with {@code options} needs. */
    public static long needed(OpSpec spec, PrepareOptions options) {
        long set = setBytes(spec);
        return Math.multiplyExact(set, options.sets(spec.minBytes()) + 1L);
    }

    /** Why {@code spec} cannot run on {@code device}, or empty when it fits (or the device does not say its size). */
    public static Optional<String> check(OpSpec spec, PrepareOptions options, DeviceInfo device) {
        if (!(device.properties().get("memory_bytes") instanceof Number total)) return Optional.empty();
        long need = needed(spec, options);
        long usable = (long) (total.doubleValue() * USABLE_SHARE);
        if (need <= usable) return Optional.empty();
        return Optional.of(String.format("%s %s needs %.1f GiB of operands, more than the %.0f%% of %s's "
                        + "%.1f GiB it may use", spec.op(), spec.shapeText(), need / GIB, USABLE_SHARE * 100, device.name(),
                total.doubleValue() / GIB));
    }

    private static final double GIB = 1L << 30;
}

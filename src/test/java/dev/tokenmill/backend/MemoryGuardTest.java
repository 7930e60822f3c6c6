package dev.tokenmill.backend;

import dev.tokenmill.op.DType;
import dev.tokenmill.op.Workloads;
import dev.tokenmill.tensor.Operands;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemoryGuardTest {
    private final DeviceInfo box24 = new DeviceInfo("cpu", "Some CPU (2 cores)", "cpu-some-2c",
            Map.of("memory_bytes", 24L << 30, "llc_bytes", 32L << 20));

    @Test
    void aLongContextAtLargeBatchIsSkippedWithTheReason() {
        var spec = Workloads.decodeAttention("llama-3.1-8b", 128, 131072, "paged", DType.BF16);
        var reason = MemoryGuard.check(spec, WorkingSet.coldCaches(box24), box24);
        assertTrue(reason.isPresent());
        assertTrue(reason.get().startsWith("decode batch=128 heads=32 kv_heads=8 head_dim=128 context=131072 layout=paged"
                + " block_size=16 needs 128.00 GiB of operands, more than the 80% of Some CPU (2 cores)'s 24.00 GiB"), reason.get());
    }

    @Test
    void shapesThatFitRunAndRotationIsCounted() {
        var spec = Workloads.decodeLinear("llama-3.1-8b", "o", 1, DType.BF16);   // 32 MiB of weights
        var options = WorkingSet.coldCaches(box24);                           // 256 MiB working set: 8 sets
        assertEquals(spec.minBytes() * (options.sets(spec.minBytes()) + 1), MemoryGuard.needed(spec, options));
        assertTrue(MemoryGuard.check(spec, options, box24).isEmpty());
        assertTrue(MemoryGuard.check(spec, PrepareOptions.single(),
                new DeviceInfo("x", "x", "x", Map.of())).isEmpty(), "a device that does not say its memory is not guarded");
    }

    @Test
    void aPagedPoolCountsWholeBlocks() {
        var spec = Workloads.decodeAttention("llama-3.2-1b", 2, 17, "paged", DType.F32);
        long perToken = 8L * 64 * 4;    // kv heads x head dim x f32
        assertEquals(2 * (2 * 32 * perToken) + 2L * 2 * 32 * 64 * 4, Operands.allocationBytes(spec));
    }
}

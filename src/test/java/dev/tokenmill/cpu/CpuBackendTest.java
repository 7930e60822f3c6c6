package dev.tokenmill.cpu;

import dev.tokenmill.backend.BackendException;
import dev.tokenmill.tensor.Operands;
import dev.tokenmill.backend.PrepareOptions;
import dev.tokenmill.op.DType;
import dev.tokenmill.op.KvLayout;
import dev.tokenmill.op.LinearSpec;
import dev.tokenmill.op.ModelPreset;
import dev.tokenmill.op.OpSpec;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuBackendTest {
    @Test
    void refusesAShapeThatDoesNotFitInMemoryWithTheFigures() {
        // 128 sequences at 128k tokens of Llama-3.1-70B's KV cache: about 64 GiB per operand set.
        OpSpec huge = ModelPreset.LLAMA_3_1_70B.decode(128, 131072, KvLayout.PAGED, 16, DType.BF16);
        var e = assertThrows(BackendException.class, () -> new CpuBackend().prepare(huge, PrepareOptions.single()));
        assertTrue(e.getMessage().matches("decode .* needs [0-9.]+ GiB of host memory .*; [0-9.]+ GiB is available"),
                e.getMessage());
    }

    @Test
    void allocationBytesMatchWhatOperandsAllocate() {
        for (OpSpec spec : new OpSpec[]{new LinearSpec(3, 17, 33, DType.BF16),
                ModelPreset.LLAMA_3_2_1B.prefill(2, 9, DType.F16),
                ModelPreset.LLAMA_3_2_1B.decode(3, 40, KvLayout.PAGED, 16, DType.F32),
                ModelPreset.LLAMA_3_2_1B.decode(3, 40, KvLayout.CONTIGUOUS, 16, DType.BF16),
                ModelPreset.LLAMA_3_2_1B.append(2, 16, KvLayout.PAGED, 16, DType.BF16)}) {
            try (Operands ops = Operands.create(spec, 1)) {
                long allocated = switch (ops) {
                    case Operands.Linear l -> l.x().bytes() + l.w().bytes() + l.y().bytes();
                    case Operands.Prefill p -> p.q().bytes() + p.k().bytes() + p.v().bytes() + p.o().bytes();
                    case Operands.Decode d -> d.q().bytes() + d.cache().k().bytes() + d.cache().v().bytes() + d.o().bytes();
                    case Operands.Append a -> a.k().bytes() + a.v().bytes() + a.cache().k().bytes() + a.cache().v().bytes();
                    case Operands.Copy c -> c.src().bytes() + c.dst().bytes();
                };
                assertEquals(allocated, Operands.allocationBytes(spec), spec.toString());
            }
        }
    }
}

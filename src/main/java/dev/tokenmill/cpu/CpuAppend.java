package dev.tokenmill.cpu;

import dev.tokenmill.tensor.Operands;
import dev.tokenmill.op.AppendSpec;
import dev.tokenmill.op.KvCache;

import java.lang.foreign.MemorySegment;

/**
 * KV append: each sequence's new k and v rows {@code [Hkv, D]} are copied, bit for bit, into its cache slot at
 * position {@code seq_lens[b]} ({@link Operands.Cache#offset} resolves the block table). Sequences are split across
 * cores only when there is enough to copy for that to pay.
 */
final class CpuAppend implements CpuKernel {
    /** Below this many bytes a single thread finishes before the pool would have woken up. */
    static final long PARALLEL_BYTES = 1 << 20;

    private final AppendSpec spec;
    /** {@link Mutant}s: slots the token lands past its own (0), and whether it also lands in the next one. */
    private final int late;
    private final boolean stray;

    private CpuAppend(AppendSpec spec, Mutant mutant) {
        this.spec = spec;
        this.late = mutant == Mutant.APPEND_ONE_SLOT_LATE ? 1 : 0;
        this.stray = mutant == Mutant.APPEND_STRAY_WRITE;
    }

    static CpuKernel of(AppendSpec spec, Mutant mutant) { return new CpuAppend(spec, mutant); }

    @Override public String variant() { return "cpu.append"; }

    @Override public void run(Operands operands) {
        Operands.Append ops = (Operands.Append) operands;
        KvCache c = spec.cache();
        if (spec.minBytes() < PARALLEL_BYTES) {
            for (int b = 0; b < c.batch(); b++) append(ops, b);
        } else {
            Parallel.forEach(c.batch(), b -> append(ops, b));
        }
    }

    private void append(Operands.Append ops, int b) {
        KvCache c = spec.cache();
        long rowBytes = (long) c.headDim() * spec.dtype().bytes();
        int pos = c.seqLen(b) + late;
        for (int h = 0; h < c.kvHeads(); h++) {
            long src = ((long) b * c.kvHeads() + h) * rowBytes;
            long dst = ops.cache().offset(b, pos, h) * spec.dtype().bytes();
            MemorySegment.copy(ops.k().segment(), src, ops.cache().k().segment(), dst, rowBytes);
            MemorySegment.copy(ops.v().segment(), src, ops.cache().v().segment(), dst, rowBytes);
            if (stray) {
                long next = ops.cache().offset(b, pos + 1, h) * spec.dtype().bytes();
                MemorySegment.copy(ops.k().segment(), src, ops.cache().k().segment(), next, rowBytes);
            }
        }
    }
}

package dev.tokenmill.cpu;

import dev.tokenmill.tensor.Operands;
import dev.tokenmill.op.CopySpec;

import java.lang.foreign.MemorySegment;

/** The bandwidth probe: src to dst in contiguous chunks, one {@link MemorySegment#copy} per chunk, across cores. */
final class CpuCopy implements CpuKernel {
    /** Chunks per thread (a few, so a core slowed by a neighbour does not hold the others up). */
    private static final int CHUNKS_PER_THREAD = 4;
    /** Smallest chunk worth handing to another core. */
    static final long MIN_CHUNK_BYTES = 1 << 20;

    private final long bytes, chunk;
    private final int chunks;
    /** {@link Mutant#TAIL_LANE_DROPPED}: bytes left uncopied at the end. */
    private final int dropped;

    private CpuCopy(CopySpec spec, Mutant mutant) {
        this.bytes = spec.bytes();
        this.dropped = mutant == Mutant.TAIL_LANE_DROPPED ? 4 : 0;
        long want = Math.max(MIN_CHUNK_BYTES, bytes / ((long) CHUNKS_PER_THREAD * Parallel.threads()));
        this.chunk = (want + 63) / 64 * 64; // whole cache lines, so no line is written by two cores
        this.chunks = (int) ((bytes + chunk - 1) / chunk);
    }

    static CpuKernel of(CopySpec spec, Mutant mutant) { return new CpuCopy(spec, mutant); }

    @Override public String variant() { return "cpu.copy"; }

    @Override public void run(Operands operands) {
        Operands.Copy ops = (Operands.Copy) operands;
        MemorySegment src = ops.src().segment(), dst = ops.dst().segment();
        Parallel.forEach(chunks, i -> {
            long from = i * chunk;
            MemorySegment.copy(src, from, dst, from, Math.min(chunk, bytes - from - dropped));
        });
    }
}

package dev.tokenmill.ptx.count;

import dev.tokenmill.ptx.ir.Op;
import dev.tokenmill.ptx.ir.OpClass;

import java.util.Locale;

/**
 * Facts of one launch in the spirit of Nsight Compute's metrics: instruction counts, memory requests,
 * 32-byte sectors, shared-memory wavefronts. They depend only on the kernel, its launch and its data, never
 * on timing. One instance per worker thread while running; {@link #add} merges them.
 *
 * <p>Models: a global request is one warp-level ld/st executed with at least one active lane; its sectors
 * are the distinct 32-byte blocks its active lanes touch. A shared request is split in phases of 128
 * bytes of lanes (32 lanes for 4-byte accesses, 16 for 8-byte, 8 for 16-byte, one 8x8 matrix of 8 rows of
 * 16 bytes for ldmatrix); each phase costs as many wavefronts as the most distinct 4-byte words any one of
 * the 32 banks must serve (the same word is a broadcast).
 */
public final class Counters {
    /** Warp-level instructions executed (issued, whatever the guard) by {@link Op#ordinal()}. */
    public final long[] warpInstructions = new long[Op.values().length];
    /** Thread-level instructions: lanes that executed with a true guard. */
    public long threadInstructions;
    public long globalLoadRequests, globalLoadSectors, globalLoadBytes;
    public long globalStoreRequests, globalStoreSectors, globalStoreBytes;
    /** Shared requests, wavefronts, and the wavefronts they would need without bank conflicts (one per phase). */
    public long sharedLoadRequests, sharedLoadWavefronts, sharedLoadIdealWavefronts, sharedLoadBytes;
    public long sharedStoreRequests, sharedStoreWavefronts, sharedStoreIdealWavefronts, sharedStoreBytes;
    public long ldmatrixRequests, ldmatrixWavefronts;
    /** cp.async: requests, bytes written to shared (zero fill included), bytes read from global, sectors read. */
    public long cpAsyncRequests, cpAsyncBytes, cpAsyncSourceBytes, cpAsyncSectors;
    /**
     * cp.async's writes into shared memory, phased as a shared store of cp-size bytes per lane: wavefronts and the
     * conflict-free count. Kept apart from the st.shared counters, whose values do not change with them.
     */
    public long cpAsyncSharedWavefronts, cpAsyncSharedIdealWavefronts;
    /** Barrier completions (each releases a whole CTA). */
    public long barriers;
    public long ctas, warps, threads;

    public void add(Counters o) {
        for (int k = 0; k < warpInstructions.length; k++) warpInstructions[k] += o.warpInstructions[k];
        threadInstructions += o.threadInstructions;
        globalLoadRequests += o.globalLoadRequests;
        globalLoadSectors += o.globalLoadSectors;
        globalLoadBytes += o.globalLoadBytes;
        globalStoreRequests += o.globalStoreRequests;
        globalStoreSectors += o.globalStoreSectors;
        globalStoreBytes += o.globalStoreBytes;
        sharedLoadRequests += o.sharedLoadRequests;
        sharedLoadWavefronts += o.sharedLoadWavefronts;
        sharedLoadIdealWavefronts += o.sharedLoadIdealWavefronts;
        sharedLoadBytes += o.sharedLoadBytes;
        sharedStoreRequests += o.sharedStoreRequests;
        sharedStoreWavefronts += o.sharedStoreWavefronts;
        sharedStoreIdealWavefronts += o.sharedStoreIdealWavefronts;
        sharedStoreBytes += o.sharedStoreBytes;
        ldmatrixRequests += o.ldmatrixRequests;
        ldmatrixWavefronts += o.ldmatrixWavefronts;
        cpAsyncRequests += o.cpAsyncRequests;
        cpAsyncBytes += o.cpAsyncBytes;
        cpAsyncSourceBytes += o.cpAsyncSourceBytes;
        cpAsyncSectors += o.cpAsyncSectors;
        cpAsyncSharedWavefronts += o.cpAsyncSharedWavefronts;
        cpAsyncSharedIdealWavefronts += o.cpAsyncSharedIdealWavefronts;
        barriers += o.barriers;
        ctas += o.ctas;
        warps += o.warps;
        threads += o.threads;
    }

    public long warpInstructions(Op op) {
        return warpInstructions[op.ordinal()];
    }

    public long warpInstructions(OpClass c) {
        long n = 0;
        for (Op op : Op.values()) if (op.opClass() == c) n += warpInstructions[op.ordinal()];
        return n;
    }

    public long warpInstructionsTotal() {
        long n = 0;
        for (long v : warpInstructions) n += v;
        return n;
    }

    /** 2·16·8·16 multiply-adds' worth of FLOPs per warp-level m16n8k16 mma. */
    public long tensorFlops() {
        return (warpInstructions(Op.MMA_F16) + warpInstructions(Op.MMA_BF16)) * 2L * 16 * 8 * 16;
    }

    public double globalLoadSectorsPerRequest() {
        return ratio(globalLoadSectors, globalLoadRequests);
    }

    public double globalStoreSectorsPerRequest() {
        return ratio(globalStoreSectors, globalStoreRequests);
    }

    /** Wavefronts beyond the conflict-free count: Nsight's shared-memory bank conflicts, loads (ldmatrix included). */
    public long sharedLoadBankConflicts() {
        return sharedLoadWavefronts - sharedLoadIdealWavefronts;
    }

    public long sharedStoreBankConflicts() {
        return sharedStoreWavefronts - sharedStoreIdealWavefronts;
    }

    /** Bank conflicts of cp.async's shared-memory writes (wavefronts beyond one per phase). */
    public long cpAsyncSharedBankConflicts() {
        return cpAsyncSharedWavefronts - cpAsyncSharedIdealWavefronts;
    }

    /** Global bytes read: ld.global plus the bytes cp.async fetched. */
    public long globalBytesRead() {
        return globalLoadBytes + cpAsyncSourceBytes;
    }

    private static double ratio(long a, long b) {
        return b == 0 ? 0 : (double) a / b;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        row(sb, "CTAs / warps / threads", ctas + " / " + warps + " / " + threads);
        row(sb, "warp instructions", Long.toString(warpInstructionsTotal()));
        for (OpClass c : OpClass.values()) {
            long n = warpInstructions(c);
            if (n > 0) row(sb, "  " + c.name().toLowerCase(Locale.ROOT), Long.toString(n));
        }
        row(sb, "thread instructions", Long.toString(threadInstructions));
        row(sb, "tensor FLOPs", Long.toString(tensorFlops()));
        row(sb, "global loads: requests / sectors / bytes", globalLoadRequests + " / " + globalLoadSectors + " / " + globalLoadBytes
                + String.format(Locale.ROOT, " (%.2f sectors/request)", globalLoadSectorsPerRequest()));
        row(sb, "global stores: requests / sectors / bytes", globalStoreRequests + " / " + globalStoreSectors + " / " + globalStoreBytes
                + String.format(Locale.ROOT, " (%.2f sectors/request)", globalStoreSectorsPerRequest()));
        row(sb, "cp.async: requests / bytes / global bytes / sectors", cpAsyncRequests + " / " + cpAsyncBytes + " / "
                + cpAsyncSourceBytes + " / " + cpAsyncSectors);
        row(sb, "  shared writes: wavefronts (conflicts)", cpAsyncSharedWavefronts + " (" + cpAsyncSharedBankConflicts() + ")");
        row(sb, "shared loads: requests / wavefronts (conflicts)", sharedLoadRequests + " / " + sharedLoadWavefronts
                + " (" + sharedLoadBankConflicts() + ")");
        row(sb, "  of which ldmatrix: requests / wavefronts", ldmatrixRequests + " / " + ldmatrixWavefronts);
        row(sb, "shared stores: requests / wavefronts (conflicts)", sharedStoreRequests + " / " + sharedStoreWavefronts
                + " (" + sharedStoreBankConflicts() + ")");
        row(sb, "barriers completed", Long.toString(barriers));
        return sb.toString();
    }

    private static void row(StringBuilder sb, String name, String value) {
        sb.append(String.format(Locale.ROOT, "%-52s %s%n", name, value));
    }
}

package dev.tokenmill.cuda;

import dev.tokenmill.op.DecodeSpec;
import dev.tokenmill.op.KvCache;
import dev.tokenmill.op.KvLayout;

import static dev.tokenmill.cuda.CudaKernel.ceilDiv;

/**
 * decode.cu: flash-decoding. The split kernel gives each CTA one chunk of one sequence's tokens for one KV
 * head (all the query heads of its GQA group share each K/V load) and writes a partial output with its
 * log-sum-exp; the merge kernel combines the chunks. Chunks are sized so that even batch 1 fills the SMs.
 */
final class DecodeLauncher implements CudaKernel {
    /** The shortest chunk, and the unit of every chunk (the split kernel's K loop takes 32 to 128 tokens a step). */
    private static final int TILE = 64;

    private final DecodeSpec spec;
    private final int chunkLen, chunks, shared;
    private final KernelFunction split, merge;
    private final DeviceBuffer partO, partLse;

    DecodeLauncher(DecodeSpec spec, CudaDevice device) {
        this.spec = spec;
        this.chunkLen = chunkLen(spec, device.sms(), device.sharedMemoryPerBlock());
        this.chunks = ceilDiv(spec.cache().maxSeqLen(), chunkLen);
        this.shared = sharedBytes(spec, chunkLen);
        KernelModule module = device.module("decode");
        this.split = module.function(splitKernel(spec)).allowShared(shared);
        this.merge = module.function(mergeKernel(spec));
        long partials = (long) spec.batch() * spec.heads() * chunks;
        this.partO = DeviceBuffer.allocate(device.driver(), 4 * partials * spec.headDim());
        try {
            this.partLse = DeviceBuffer.allocate(device.driver(), 4 * partials);
        } catch (RuntimeException e) {
            partO.close();
            throw e;
        }
    }

    static String splitKernel(DecodeSpec spec) { return "tm_decode_split_d" + spec.headDim() + "_" + CudaKernel.suffix(spec.dtype()); }

    static String mergeKernel(DecodeSpec spec) { return "tm_decode_merge_" + CudaKernel.suffix(spec.dtype()); }

    /** The split kernel's dynamic shared memory for a chunk length (ABI.md). */
    static int sharedBytes(DecodeSpec spec, int chunkLen) {
        int g = spec.heads() / spec.kvHeads(), d = spec.headDim();
        return 4 * (g * d + 4 * Math.min(g, 8) * d + g * chunkLen + 2 * g);
    }

    /**
     * The shortest power-of-two chunk (64..4096) that keeps at most four CTAs per SM, so every SM is busy and the
     * merge stays small, but never longer than the longest sequence in whole 64-token tiles: past that every
     * sequence is one chunk already, and a longer chunk only sizes shared memory for tokens that are not there
     * (fewer blocks fit per SM). Then halved (in whole tiles) while the split kernel's shared memory exceeds the
     * device's limit.
     */
    static int chunkLen(DecodeSpec spec, int sms, int sharedLimit) {
        int longest = Math.max(TILE, ceilDiv(spec.cache().maxSeqLen(), TILE) * TILE);
        int chunk = TILE;
        while (chunk < Math.min(4096, longest)
                && (long) spec.batch() * spec.kvHeads() * ceilDiv(spec.cache().maxSeqLen(), chunk) > 4L * sms)
            chunk = Math.min(2 * chunk, longest);
        while (chunk > TILE && sharedBytes(spec, chunk) > sharedLimit) chunk = ceilDiv(chunk / 2, TILE) * TILE;
        if (sharedBytes(spec, chunk) > sharedLimit)
            throw new IllegalArgumentException("decode with " + spec.heads() / spec.kvHeads() + " query heads per KV head at head-dim "
                    + spec.headDim() + " needs " + sharedBytes(spec, chunk) + " bytes of shared memory per block; this GPU allows "
                    + sharedLimit);
        return chunk;
    }

    @Override public String variant() { return "cuda.decode.splitkv"; }

    @Override public long workspaceBytes() { return partO.bytes() + partLse.bytes(); }

    @Override public void launch(DeviceOperands operands, Driver.Stream stream) {
        var o = (DeviceOperands.Decode) operands;
        KvCache c = spec.cache();
        boolean paged = c.layout() == KvLayout.PAGED; // the other layout's fields pass 0 (block size: 1)
        split.launch(Dim3.of(chunks, c.kvHeads(), c.batch()), Dim3.of(128), shared, stream, new KernelArgs()
                .ptr(o.q()).ptr(o.cache().k()).ptr(o.cache().v()).ptr(o.cache().blockTable()).ptr(o.cache().seqLens())
                .ptr(partO).ptr(partLse)
                .i32(c.batch()).i32(spec.heads()).i32(c.kvHeads())
                .i32(paged ? 0 : c.capacity()).i32(paged ? c.maxBlocks() : 0).i32(paged ? c.blockSize() : 1).i32(chunkLen));
        merge.launch(Dim3.of(spec.heads(), c.batch()), Dim3.of(128), 0, stream, new KernelArgs()
                .ptr(partO).ptr(partLse).ptr(o.cache().seqLens()).ptr(o.o())
                .i32(c.batch()).i32(spec.heads()).i32(c.headDim()).i32(chunks).i32(chunkLen));
    }

    @Override public void close() { Resources.close(partO, partLse); }
}

package dev.tokenmill.tensor;

import dev.tokenmill.op.AppendSpec;
import dev.tokenmill.op.CopySpec;
import dev.tokenmill.op.DType;
import dev.tokenmill.op.DecodeSpec;
import dev.tokenmill.op.KvCache;
import dev.tokenmill.op.KvLayout;
import dev.tokenmill.op.LinearSpec;
import dev.tokenmill.op.OpSpec;
import dev.tokenmill.op.PrefillSpec;

import java.util.SplittableRandom;

/**
 * One set of host operands for an op: random inputs from a seed, outputs poisoned with NaN. Every backend
 * computes on (copies of) these, and the float64 reference reads the same values, so verification compares
 * like with like. Layouts are the kernel contracts of ARCHITECTURE.md.
 */
public sealed interface Operands extends AutoCloseable {

    /** Random inputs for {@code spec} from {@code seed}; outputs poisoned. */
    static Operands create(OpSpec spec, long seed) {
        return switch (spec) {
            case LinearSpec s -> Linear.create(s, seed);
            case PrefillSpec s -> Prefill.create(s, seed);
            case DecodeSpec s -> Decode.create(s, seed);
            case AppendSpec s -> Append.create(s, seed);
            case CopySpec s -> Copy.create(s, seed);
        };
    }

    /** Bytes of host memory {@link #create} allocates for {@code spec}, computed from the shape alone. */
    static long allocationBytes(OpSpec spec) {
        return switch (spec) {
            case LinearSpec s -> ((long) s.m() * s.k() + (long) s.n() * s.k() + (long) s.m() * s.n()) * s.dtype().bytes();
            case PrefillSpec s -> (long) s.batch() * s.seq() * s.headDim() * (2L * s.heads() + 2L * s.kvHeads())
                    * s.dtype().bytes();
            case DecodeSpec s -> (2L * s.cache().cacheElements() + 2L * s.batch() * s.heads() * s.headDim())
                    * s.dtype().bytes();
            case AppendSpec s -> (2L * s.cache().cacheElements() + 2L * s.cache().batch() * s.cache().kvHeads()
                    * s.cache().headDim()) * s.dtype().bytes();
            case CopySpec s -> 2 * s.bytes();
        };
    }

    OpSpec spec();

    @Override void close();

    /** x {@code [M,K]}, w {@code [N,K]}, y {@code [M,N]}. */
    record Linear(LinearSpec spec, HostTensor x, HostTensor w, HostTensor y) implements Operands {
        static Linear create(LinearSpec s, long seed) {
            DType t = s.dtype();
            HostTensor y = HostTensor.allocate(t, s.m(), s.n());
            y.poison();
            return new Linear(s, HostTensor.random(t, seed, s.m(), s.k()), HostTensor.random(t, seed + 1, s.n(), s.k()), y);
        }

        @Override public void close() { x.close(); w.close(); y.close(); }
    }

    /** q {@code [B,S,Hq,D]}, k and v {@code [B,S,Hkv,D]}, o {@code [B,S,Hq,D]}. */
    record Prefill(PrefillSpec spec, HostTensor q, HostTensor k, HostTensor v, HostTensor o) implements Operands {
        static Prefill create(PrefillSpec s, long seed) {
            DType t = s.dtype();
            HostTensor o = HostTensor.allocate(t, s.batch(), s.seq(), s.heads(), s.headDim());
            o.poison();
            return new Prefill(s,
                    HostTensor.random(t, seed, s.batch(), s.seq(), s.heads(), s.headDim()),
                    HostTensor.random(t, seed + 1, s.batch(), s.seq(), s.kvHeads(), s.headDim()),
                    HostTensor.random(t, seed + 2, s.batch(), s.seq(), s.kvHeads(), s.headDim()), o);
        }

        @Override public void close() { q.close(); k.close(); v.close(); o.close(); }
    }

    /**
     * A KV cache's storage. Paged: pools {@code [poolBlocks, blockSize, Hkv, D]} and {@code blockTable[B*maxBlocks]}
     * holding a random permutation of the pool's blocks (so sequences are scattered, as in a serving engine).
     * Contiguous: {@code [B, capacity, Hkv, D]} and an empty block table.
     */
    record Cache(KvCache shape, HostTensor k, HostTensor v, int[] blockTable) implements AutoCloseable {
        static Cache create(KvCache c, DType t, long seed) {
            long[] dims = c.layout() == KvLayout.PAGED
                    ? new long[]{c.poolBlocks(), c.blockSize(), c.kvHeads(), c.headDim()}
                    : new long[]{c.batch(), c.capacity(), c.kvHeads(), c.headDim()};
            int[] table = new int[c.batch() * c.maxBlocks()];
            for (int i = 0; i < table.length; i++) table[i] = i;
            SplittableRandom rnd = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
            for (int i = table.length - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1), tmp = table[i];
                table[i] = table[j];
                table[j] = tmp;
            }
            return new Cache(c, HostTensor.random(t, seed, dims), HostTensor.random(t, seed + 1, dims), table);
        }

        /** Element offset of token {@code pos} of sequence {@code b}, KV head {@code h}, dim 0. */
        public long offset(int b, int pos, int h) {
            long token = shape.layout() == KvLayout.PAGED
                    ? (long) blockTable[b * shape.maxBlocks() + pos / shape.blockSize()] * shape.blockSize()
                      + pos % shape.blockSize()
                    : (long) b * shape.capacity() + pos;
            return (token * shape.kvHeads() + h) * shape.headDim();
        }

        @Override public void close() { k.close(); v.close(); }
    }

    /** q {@code [B,Hq,D]}, the cache, o {@code [B,Hq,D]}. */
    record Decode(DecodeSpec spec, HostTensor q, Cache cache, HostTensor o) implements Operands {
        static Decode create(DecodeSpec s, long seed) {
            DType t = s.dtype();
            HostTensor o = HostTensor.allocate(t, s.batch(), s.heads(), s.headDim());
            o.poison();
            return new Decode(s, HostTensor.random(t, seed, s.batch(), s.heads(), s.headDim()),
                    Cache.create(s.cache(), t, seed + 1), o);
        }

        @Override public void close() { q.close(); cache.close(); o.close(); }
    }

    /** New k and v {@code [B,Hkv,D]} and the cache they are written into at {@code seq_lens[b]} (those slots NaN). */
    record Append(AppendSpec spec, HostTensor k, HostTensor v, Cache cache) implements Operands {
        static Append create(AppendSpec s, long seed) {
            DType t = s.dtype();
            KvCache c = s.cache();
            Cache cache = Cache.create(c, t, seed + 2);
            // The slots the kernel must write start as NaN, so a missed or misplaced write fails verification.
            for (int b = 0; b < c.batch(); b++)
                for (int h = 0; h < c.kvHeads(); h++)
                    for (int i = 0; i < c.headDim(); i++) {
                        cache.k().set(cache.offset(b, c.seqLen(b), h) + i, Float.NaN);
                        cache.v().set(cache.offset(b, c.seqLen(b), h) + i, Float.NaN);
                    }
            return new Append(s, HostTensor.random(t, seed, c.batch(), c.kvHeads(), c.headDim()),
                    HostTensor.random(t, seed + 1, c.batch(), c.kvHeads(), c.headDim()), cache);
        }

        @Override public void close() { k.close(); v.close(); cache.close(); }
    }

    /** src and dst of {@code bytes} each (as f32 elements). */
    record Copy(CopySpec spec, HostTensor src, HostTensor dst) implements Operands {
        static Copy create(CopySpec s, long seed) {
            HostTensor dst = HostTensor.allocate(DType.F32, s.elements());
            dst.poison();
            return new Copy(s, HostTensor.random(DType.F32, seed, s.elements()), dst);
        }

        @Override public void close() { src.close(); dst.close(); }
    }
}

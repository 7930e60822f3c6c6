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
 * One set of host operands for an op: inputs from a seed, outputs poisoned with NaN. Every backend computes on
 * (copies of) these, and the float64 reference reads the same values, so verification compares like with like.
 * Layouts are the kernel contracts of ARCHITECTURE.md. The inputs are made to expose numerical bugs, not only gross
 * ones (reference/BOUNDS.md says what each part lets verification catch): linear operands mix rows of small integers,
 * whose products and sums fp32 holds exactly (those outputs are compared bit for bit), with rows of random floats at
 * several scales; attention operands have realistic logits ({@link AttentionInputs}).
 */
public sealed interface Operands extends AutoCloseable {

    /** Inputs for {@code spec} from {@code seed}; outputs poisoned. */
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

    /**
     * x {@code [M,K]}, w {@code [N,K]}, y {@code [M,N]}. Even rows of x and of w are integers in [-4, 4] (exact in
     * every dtype): an output of an even row and an even column sums exact products, which fp32 accumulates exactly
     * in any order while their magnitudes add up to at most 2^24 (K up to about 3 million), so it must match the
     * reference bit for bit after its one rounding to the dtype. Odd rows are uniform in [-1, 1) times 2^e, e in [-3, 2] per row: outputs across
     * several magnitudes. Every output's standard deviation is at most 6.7·√K (2 400 at K = 131 072), far below
     * f16's largest value, 65 504.
     */
    record Linear(LinearSpec spec, HostTensor x, HostTensor w, HostTensor y) implements Operands {
        /** Integers in [-INT_RANGE, INT_RANGE] in the exact rows. */
        static final int INT_RANGE = 4;
        /** Scale exponents of the float rows: 2^MIN_SCALE .. 2^MAX_SCALE. */
        static final int MIN_SCALE = -3, MAX_SCALE = 2;

        static Linear create(LinearSpec s, long seed) {
            DType t = s.dtype();
            HostTensor y = HostTensor.allocate(t, s.m(), s.n());
            y.poison();
            return new Linear(s, operand(t, RandomStreams.stream(seed, 1), s.m(), s.k()), operand(t, RandomStreams.stream(seed, 2), s.n(), s.k()), y);
        }

        /** Whether row {@code r} of x or w holds small integers. */
        private static boolean isExactRow(int r) { return r % 2 == 0; }

        private static HostTensor operand(DType t, long seed, int rows, int k) {
            HostTensor o = HostTensor.allocate(t, rows, k);
            long scales = RandomStreams.stream(seed, 0);
            Chunks.forEach(rows, Math.max(1, Chunks.SIZE / k), (from, to) -> {
                for (int r = (int) from; r < to; r++) {
                    int e = MIN_SCALE + (int) (RandomStreams.unit(scales, r) * (MAX_SCALE - MIN_SCALE + 1));
                    for (int i = 0; i < k; i++) {
                        long at = (long) r * k + i;
                        double u = RandomStreams.uniform(seed, at);
                        o.set(at, isExactRow(r) ? (float) (Math.floor((u + 1) * (INT_RANGE + 0.5)) - INT_RANGE)
                                                : (float) Math.scalb(u, e));
                    }
                }
            });
            return o;
        }

        @Override public void close() { x.close(); w.close(); y.close(); }
    }

    /** q {@code [B,S,Hq,D]}, k and v {@code [B,S,Hkv,D]}, o {@code [B,S,Hq,D]}; inputs from {@link AttentionInputs}. */
    record Prefill(PrefillSpec spec, HostTensor q, HostTensor k, HostTensor v, HostTensor o) implements Operands {
        static Prefill create(PrefillSpec s, long seed) {
            DType t = s.dtype();
            int b = s.batch(), seq = s.seq(), hq = s.heads(), hkv = s.kvHeads(), d = s.headDim();
            HostTensor o = HostTensor.allocate(t, b, seq, hq, d);
            o.poison();
            HostTensor q = HostTensor.allocate(t, b, seq, hq, d);
            HostTensor k = HostTensor.allocate(t, b, seq, hkv, d), v = HostTensor.allocate(t, b, seq, hkv, d);
            AttentionInputs in = new AttentionInputs(seed, hq, hkv, d);
            Chunks.forEach((long) b * seq, Math.max(1, Chunks.SIZE / ((long) (hq + hkv) * d)), (from, to) -> {
                for (long token = from; token < to; token++) {
                    for (int h = 0; h < hq; h++) in.query(token * hq + h, h, q, (token * hq + h) * d);
                    for (int g = 0; g < hkv; g++)
                        in.keyValue((int) (token / seq), (int) (token % seq), seq, g, token * hkv + g, k, v, (token * hkv + g) * d);
                }
            });
            return new Prefill(s, q, k, v, o);
        }

        @Override public void close() { q.close(); k.close(); v.close(); o.close(); }
    }

    /**
     * A KV cache's storage. Paged: pools {@code [poolBlocks, blockSize, Hkv, D]} and {@code blockTable[B*maxBlocks]}
     * holding a random permutation of the pool's blocks (so sequences are scattered, as in a serving engine).
     * Contiguous: {@code [B, capacity, Hkv, D]} and an empty block table. Sequence b owns {@link #slots()} token slots,
     * its first {@code seq_lens[b]} in use.
     */
    record Cache(KvCache shape, HostTensor k, HostTensor v, int[] blockTable) implements AutoCloseable {
        /** Zero-filled storage and a block table shuffled from {@code seed}. */
        static Cache allocate(KvCache c, DType t, long seed) {
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
            return new Cache(c, HostTensor.allocate(t, dims), HostTensor.allocate(t, dims), table);
        }

        /** Token slots each sequence owns: its blocks' worth (paged) or the capacity (contiguous). */
        public int slots() {
            return shape.layout() == KvLayout.PAGED ? shape.maxBlocks() * shape.blockSize() : shape.capacity();
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

    /**
     * q {@code [B,Hq,D]}, the cache, o {@code [B,Hq,D]}; inputs from {@link AttentionInputs}, every slot of the cache
     * filled (slots past a sequence's length with keys that would take all the weight, were a kernel to read them).
     */
    record Decode(DecodeSpec spec, HostTensor q, Cache cache, HostTensor o) implements Operands {
        static Decode create(DecodeSpec s, long seed) {
            DType t = s.dtype();
            KvCache c = s.cache();
            int b = s.batch(), hq = s.heads(), hkv = c.kvHeads(), d = c.headDim();
            HostTensor o = HostTensor.allocate(t, b, hq, d);
            o.poison();
            HostTensor q = HostTensor.allocate(t, b, hq, d);
            Cache cache = Cache.allocate(c, t, seed);
            AttentionInputs in = new AttentionInputs(seed, hq, hkv, d);
            for (long row = 0; row < (long) b * hq; row++) in.query(row, (int) (row % hq), q, row * d);
            int slots = cache.slots();
            Chunks.forEach((long) b * slots, Math.max(1, Chunks.SIZE / ((long) hkv * d)), (from, to) -> {
                for (long token = from; token < to; token++) {
                    int seq = (int) (token / slots), pos = (int) (token % slots);
                    for (int g = 0; g < hkv; g++)
                        in.keyValue(seq, pos, c.seqLen(seq), g, token * hkv + g, cache.k(), cache.v(), cache.offset(seq, pos, g));
                }
            });
            return new Decode(s, q, cache, o);
        }

        @Override public void close() { q.close(); cache.close(); o.close(); }
    }

    /**
     * New k and v {@code [B,Hkv,D]} and the cache they are written into at {@code seq_lens[b]} (those slots NaN, every
     * other one random: {@link #initialCache} regenerates any part of it, so the whole cache can be checked).
     */
    record Append(AppendSpec spec, long seed, HostTensor k, HostTensor v, Cache cache) implements Operands {
        static Append create(AppendSpec s, long seed) {
            DType t = s.dtype();
            KvCache c = s.cache();
            Cache cache = Cache.allocate(c, t, seed);
            cache.k().fillRandom(background(seed, false));
            cache.v().fillRandom(background(seed, true));
            // The slots the kernel must write start as NaN, so a missed or misplaced write fails verification.
            for (int b = 0; b < c.batch(); b++)
                for (int h = 0; h < c.kvHeads(); h++)
                    for (int i = 0; i < c.headDim(); i++) {
                        cache.k().set(cache.offset(b, c.seqLen(b), h) + i, Float.NaN);
                        cache.v().set(cache.offset(b, c.seqLen(b), h) + i, Float.NaN);
                    }
            return new Append(s, seed, HostTensor.random(t, RandomStreams.stream(seed, 1), c.batch(), c.kvHeads(), c.headDim()),
                    HostTensor.random(t, RandomStreams.stream(seed, 2), c.batch(), c.kvHeads(), c.headDim()), cache);
        }

        /**
         * Fills {@code into} with elements {@code [from, from + into.elements())} of the K (or, with {@code values},
         * the V) cache as it was created, the slots to be written included (as if they had not been poisoned).
         */
        public void initialCache(boolean values, long from, HostTensor into) {
            into.fillRandom(background(seed, values), from);
        }

        private static long background(long seed, boolean values) { return RandomStreams.stream(seed, values ? 4 : 3); }

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

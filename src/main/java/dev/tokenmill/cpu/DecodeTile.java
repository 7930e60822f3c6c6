package dev.tokenmill.cpu;

import dev.tokenmill.op.DType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteOrder;
import java.util.EnumMap;
import java.util.Map;

import static dev.tokenmill.cpu.Widen.F;

/**
 * The arithmetic of one decode tile ({@link #TILE} tokens, every head): scores for 4 query heads × 2 tokens at a
 * time (the GQA group shares every K load), an online softmax per head over the tile, and P·V for 4 heads × 2
 * vectors over the tile. K and V are read straight from the cache and widened to fp32 in registers.
 *
 * <p>Each dtype gets its own copy of this class, defined from the same bytes as a hidden class by
 * {@link #forDtype}. C2 compiles a method once, from the branch profile of every call so far: in a JVM that ran
 * f32 and bf16, one shared copy would inline both widenings at every load, overflow C2's inlining budget and box
 * vectors (measured 3.7 GB/s instead of 21). A copy per dtype only ever sees its own branch. Keep the class free
 * of nested classes, lambdas and {@code switch} on enums (which compiles to a nested class): a copy would resolve
 * them by name to the original's, with its shared profile, and could not reach its private members.
 */
final class DecodeTile implements CpuDecode.Tile {
    /**
     * Tokens per tile: touched, then used from L2. K and V of 64 tokens are 256 KiB at Hkv=8, D=128 in bf16, 512 KiB
     * in f32, 1 MiB for 32 KV heads in bf16 (MHA; still faster than the 16-token tiles before, measured).
     */
    static final int TILE = 64;
    /** Query heads per register block: one K or V load serves this many heads of the group. */
    private static final int HB = 4;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private static final Map<DType, MethodHandles.Lookup> COPIES = new EnumMap<>(DType.class);

    private final DType dtype;
    private final int group, d, hq, hkv;

    DecodeTile(DType dtype, int hq, int hkv, int d) {
        if (d % (2 * F.length()) != 0 || TILE % F.length() != 0)
            throw new IllegalArgumentException("the CPU decode kernel needs head_dim a multiple of " + 2 * F.length()
                    + " (two " + F.vectorBitSize() + "-bit vectors), got " + d);
        this.dtype = dtype;
        this.hq = hq;
        this.hkv = hkv;
        this.group = hq / hkv;
        this.d = d;
    }

    /** A tile kernel from this dtype's own copy of the class. */
    static synchronized CpuDecode.Tile forDtype(DType dtype, int hq, int hkv, int d) {
        try {
            MethodHandles.Lookup copy = COPIES.get(dtype);
            if (copy == null) {
                byte[] bytes;
                try (InputStream in = DecodeTile.class.getResourceAsStream("DecodeTile.class")) {
                    if (in == null) throw new IllegalStateException("DecodeTile.class is not on the class path");
                    bytes = in.readAllBytes();
                }
                copy = MethodHandles.lookup().defineHiddenClass(bytes, true);
                COPIES.put(dtype, copy);
            }
            MethodType ctor = MethodType.methodType(void.class, DType.class, int.class, int.class, int.class);
            return (CpuDecode.Tile) copy.findConstructor(copy.lookupClass(), ctor).invoke(dtype, hq, hkv, d);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("cannot define the decode tile kernel for " + dtype, e);
        }
    }

    @Override public void run(MemorySegment k, MemorySegment v, DecodeScratch w, int n) {
        if (dtype == DType.F16) {
            runStaged(k, v, w, n);
            return;
        }
        for (int j = 0; j < TILE; j += 2) // tokens j, j+1 across every KV head: address order
            for (int g = 0; g < hkv; g++) scores(k, w.token, (long) g * d, w, g, j);
        for (int h = 0; h < hq; h++) softmax(w, h, n);
        for (int g = 0; g < hkv; g++) accumulate(v, w.token, (long) g * d, w, g);
    }

    /**
     * f16: each pair of K rows is widened once into fp32 scratch (in address order, L1) and scored as f32. The bit-level
     * f16 conversion inlined at both K loads of {@link #scores4x2} overflows C2's inlining budget (the accumulators
     * then get boxed); P·V's loads fit, so V is widened in registers as for bf16.
     */
    private void runStaged(MemorySegment k, MemorySegment v, DecodeScratch w, int n) {
        int row = hkv * d, lanes = F.length();
        MemorySegment staged = w.staged(row);
        long[] rows = w.stagedRows(row);
        for (int j = 0; j < TILE; j += 2) {
            for (int t = j; t < j + 2; t++)
                for (int i = 0; i < row; i += lanes)
                    Widen.f16(k, w.token[t] + i).intoMemorySegment(staged, (rows[t] + i) * 4, ORDER);
            for (int g = 0; g < hkv; g++) scores(staged, rows, (long) g * d, w, g, j);
        }
        for (int h = 0; h < hq; h++) softmax(w, h, n);
        for (int g = 0; g < hkv; g++) accumulate(v, w.token, (long) g * d, w, g);
    }

    /** Scores of KV head g's query heads for tokens j, j+1, whose rows start at {@code rows[·] + head}. */
    private void scores(MemorySegment k, long[] rows, long head, DecodeScratch w, int g, int j) {
        int h = g * group, end = h + group;
        for (; h + HB <= end; h += HB) scores4x2(k, rows, head, w, h, j);
        for (; h < end; h++) scores1x2(k, rows, head, w, h, j);
    }

    /** P·V of KV head g's query heads over the tile. */
    private void accumulate(MemorySegment v, long[] rows, long head, DecodeScratch w, int g) {
        int first = g * group, end = first + group;
        for (int c = 0; c < d; c += 2 * F.length()) {
            int h = first;
            for (; h + HB <= end; h += HB) accumulate4x2(v, rows, head, w, h, c);
            for (; h < end; h++) accumulate1x2(v, rows, head, w, h, c);
        }
    }

    /** Elements {@code [element, element + L)} of a K or V segment, widened to fp32. */
    private FloatVector load(MemorySegment seg, long element) {
        if (dtype == DType.BF16) return Widen.bf16(seg, element);
        if (dtype == DType.F16) return Widen.f16(seg, element);
        return Widen.f32(seg, element);
    }

    /** K rows as scored: f16's are staged as f32 (see {@link #runStaged}). */
    private FloatVector loadK(MemorySegment seg, long element) {
        return dtype == DType.BF16 ? Widen.bf16(seg, element) : Widen.f32(seg, element);
    }

    /** Scores of heads {@code h..h+4)} for tokens {@code j, j+1}: eight dot products sharing every K load. */
    private void scores4x2(MemorySegment k, long[] rows, long head, DecodeScratch w, int h, int j) {
        float[] q = w.q;
        int lanes = F.length(), q0 = h * d, q1 = q0 + d, q2 = q1 + d, q3 = q2 + d;
        long k0 = rows[j] + head, k1 = rows[j + 1] + head;
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00,
                a31 = a00;
        for (int i = 0; i < d; i += lanes) {
            FloatVector x0 = loadK(k, k0 + i), x1 = loadK(k, k1 + i);
            FloatVector y = FloatVector.fromArray(F, q, q0 + i);
            a00 = y.fma(x0, a00); a01 = y.fma(x1, a01);
            y = FloatVector.fromArray(F, q, q1 + i);
            a10 = y.fma(x0, a10); a11 = y.fma(x1, a11);
            y = FloatVector.fromArray(F, q, q2 + i);
            a20 = y.fma(x0, a20); a21 = y.fma(x1, a21);
            y = FloatVector.fromArray(F, q, q3 + i);
            a30 = y.fma(x0, a30); a31 = y.fma(x1, a31);
        }
        float[] s = w.s;
        int s0 = h * TILE + j, s1 = s0 + TILE, s2 = s1 + TILE, s3 = s2 + TILE;
        s[s0] = sum(a00); s[s0 + 1] = sum(a01);
        s[s1] = sum(a10); s[s1 + 1] = sum(a11);
        s[s2] = sum(a20); s[s2 + 1] = sum(a21);
        s[s3] = sum(a30); s[s3 + 1] = sum(a31);
    }

    /** Scores of head {@code h} for tokens {@code j, j+1}: the group's leftover heads (all of them at MHA). */
    private void scores1x2(MemorySegment k, long[] rows, long head, DecodeScratch w, int h, int j) {
        float[] q = w.q;
        int q0 = h * d;
        long k0 = rows[j] + head, k1 = rows[j + 1] + head;
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        for (int i = 0; i < d; i += F.length()) {
            FloatVector y = FloatVector.fromArray(F, q, q0 + i);
            a0 = y.fma(loadK(k, k0 + i), a0);
            a1 = y.fma(loadK(k, k1 + i), a1);
        }
        w.s[h * TILE + j] = sum(a0);
        w.s[h * TILE + j + 1] = sum(a1);
    }

    private static float sum(FloatVector v) { return v.reduceLanes(VectorOperators.ADD); }

    /**
     * Online softmax over head {@code h}'s tile scores (the first {@code n} valid): scores become weights, and the
     * running output is rescaled by {@code exp(m_old - m_new)} when the running max moves.
     */
    private void softmax(DecodeScratch w, int h, int n) {
        float[] s = w.s;
        int at = h * TILE, lanes = F.length();
        FloatVector max = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (int j = 0; j < TILE; j += lanes) {
            FloatVector x = FloatVector.fromArray(F, s, at + j);
            if (j + lanes > n) {
                x = x.blend(Float.NEGATIVE_INFINITY, F.indexInRange(j, n).not());
                x.intoArray(s, at + j);
            }
            max = max.max(x);
        }
        float mOld = w.m[h], mNew = Math.max(mOld, max.reduceLanes(VectorOperators.MAX));
        FloatVector sum = FloatVector.zero(F);
        for (int j = 0; j < TILE; j += lanes) {
            FloatVector p = FloatVector.fromArray(F, s, at + j).sub(mNew).lanewise(VectorOperators.EXP);
            p.intoArray(s, at + j);
            sum = sum.add(p);
        }
        float alpha = (float) Math.exp((mOld - mNew) * w.rescaleSlope);
        if (alpha != 1f)
            for (int i = h * d; i < (h + 1) * d; i += lanes)
                FloatVector.fromArray(F, w.acc, i).mul(alpha).intoArray(w.acc, i);
        w.l[h] = w.l[h] * alpha + sum.reduceLanes(VectorOperators.ADD);
        w.m[h] = mNew;
    }

    /** {@code acc[h..h+4)[c..c+2L) += Σ_j p[·][j]·v[j][c..c+2L)} over the tile: each V load serves four heads. */
    private void accumulate4x2(MemorySegment v, long[] rows, long head, DecodeScratch w, int h, int c) {
        float[] acc = w.acc, p = w.s;
        int lanes = F.length(), o0 = h * d + c, o1 = o0 + d, o2 = o1 + d, o3 = o2 + d;
        FloatVector a00 = FloatVector.fromArray(F, acc, o0), a01 = FloatVector.fromArray(F, acc, o0 + lanes);
        FloatVector a10 = FloatVector.fromArray(F, acc, o1), a11 = FloatVector.fromArray(F, acc, o1 + lanes);
        FloatVector a20 = FloatVector.fromArray(F, acc, o2), a21 = FloatVector.fromArray(F, acc, o2 + lanes);
        FloatVector a30 = FloatVector.fromArray(F, acc, o3), a31 = FloatVector.fromArray(F, acc, o3 + lanes);
        int p0 = h * TILE, p1 = p0 + TILE, p2 = p1 + TILE, p3 = p2 + TILE;
        for (int j = 0; j < TILE; j++) {
            long at = rows[j] + head + c;
            FloatVector x0 = load(v, at), x1 = load(v, at + lanes);
            FloatVector y = FloatVector.broadcast(F, p[p0 + j]);
            a00 = y.fma(x0, a00); a01 = y.fma(x1, a01);
            y = FloatVector.broadcast(F, p[p1 + j]);
            a10 = y.fma(x0, a10); a11 = y.fma(x1, a11);
            y = FloatVector.broadcast(F, p[p2 + j]);
            a20 = y.fma(x0, a20); a21 = y.fma(x1, a21);
            y = FloatVector.broadcast(F, p[p3 + j]);
            a30 = y.fma(x0, a30); a31 = y.fma(x1, a31);
        }
        a00.intoArray(acc, o0); a01.intoArray(acc, o0 + lanes);
        a10.intoArray(acc, o1); a11.intoArray(acc, o1 + lanes);
        a20.intoArray(acc, o2); a21.intoArray(acc, o2 + lanes);
        a30.intoArray(acc, o3); a31.intoArray(acc, o3 + lanes);
    }

    /** {@link #accumulate4x2} for one head. */
    private void accumulate1x2(MemorySegment v, long[] rows, long head, DecodeScratch w, int h, int c) {
        float[] acc = w.acc, p = w.s;
        int lanes = F.length(), o = h * d + c, p0 = h * TILE;
        FloatVector a0 = FloatVector.fromArray(F, acc, o), a1 = FloatVector.fromArray(F, acc, o + lanes);
        for (int j = 0; j < TILE; j++) {
            long at = rows[j] + head + c;
            FloatVector y = FloatVector.broadcast(F, p[p0 + j]);
            a0 = y.fma(load(v, at), a0);
            a1 = y.fma(load(v, at + lanes), a1);
        }
        a0.intoArray(acc, o);
        a1.intoArray(acc, o + lanes);
    }
}

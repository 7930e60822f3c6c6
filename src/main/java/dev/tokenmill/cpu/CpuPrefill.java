package dev.tokenmill.cpu;

import dev.tokenmill.tensor.Operands;
import dev.tokenmill.op.PrefillSpec;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import static dev.tokenmill.cpu.Widen.F;

/**
 * Causal flash attention for prefill, in the formulation of the GPU kernels: a tile of query rows stays resident
 * (every query head of one KV head, for a run of positions), K and V stream past it in blocks of {@link #KEYS}
 * keys, and each row keeps a running max {@code m}, running sum {@code l} and an fp32 accumulator rescaled by
 * {@code exp(m_old - m_new)} whenever the max grows. Key blocks wholly above the diagonal are never visited.
 *
 * <p>Each K block is widened and transposed into scratch ({@code kT[d][key]}), so Q·K^T is vectorised over keys
 * with query elements broadcast: no horizontal reductions, and the transpose is paid once per block for all the
 * tile's rows. P·V is vectorised over the head dim. Both are 4-row register blocks. Work items are
 * (batch, KV head, query tile), largest (latest) tiles first so the causal triangle balances across cores.
 */
final class CpuPrefill implements CpuKernel {
    /** Keys per streamed block: two vectors of scores per query row. */
    static final int KEYS = 2 * F.length();
    /** Query rows per tile (positions × heads of the group), the tile's rows stay in L1/L2 as K/V stream past. */
    static final int TILE_ROWS = 64;
    /** Rows per register block of the micro-kernels. */
    private static final int RB = 4;

    private final PrefillSpec spec;
    private final int group, positions, rowsPadded, tiles;
    private final float scale;
    /** {@link Mutant}s: the rescale's slope (1 when right), keys seen past the diagonal (0), KV head offset (0). */
    private final float rescaleSlope;
    private final int maskShift, kvShift;

    private CpuPrefill(PrefillSpec spec, Mutant mutant) {
        this.spec = spec;
        this.rescaleSlope = mutant == Mutant.RESCALE_3_PERCENT_OFF ? 0.97f : 1f;
        this.maskShift = mutant == Mutant.CAUSAL_MASK_OFF_BY_ONE ? 1 : 0;
        this.kvShift = mutant == Mutant.WRONG_KV_HEAD ? 1 : 0;
        this.group = spec.heads() / spec.kvHeads();
        this.positions = Math.max(1, TILE_ROWS / group);
        this.rowsPadded = roundUp(positions * group, RB);
        this.tiles = (spec.seq() + positions - 1) / positions;
        this.scale = (float) (1.0 / Math.sqrt(spec.headDim()));
    }

    static CpuKernel of(PrefillSpec spec, Mutant mutant) { return new CpuPrefill(spec, mutant); }

    @Override public String variant() { return "cpu.prefill.flash"; }

    @Override public void run(Operands operands) {
        Operands.Prefill ops = (Operands.Prefill) operands;
        int perBatchHead = tiles;
        int items = spec.batch() * spec.kvHeads() * perBatchHead;
        Parallel.forEach(items, item -> {
            int tile = perBatchHead - 1 - item % perBatchHead; // latest (costliest) tiles first
            int bg = item / perBatchHead;
            tile(ops, bg / spec.kvHeads(), bg % spec.kvHeads(), tile * positions, Scratch.get(this));
        });
    }

    /** Per-thread fp32 working memory of one tile. */
    private static final class Scratch {
        private static final ThreadLocal<Scratch> LOCAL = new ThreadLocal<>();
        final int rows, d;
        final float[] q, acc, s, kT, v, m, l, alpha;

        Scratch(int rows, int d) {
            this.rows = rows;
            this.d = d;
            q = new float[rows * d];
            acc = new float[rows * d];
            s = new float[rows * KEYS];
            kT = new float[d * KEYS];
            v = new float[KEYS * d];
            m = new float[rows];
            l = new float[rows];
            alpha = new float[rows];
        }

        static Scratch get(CpuPrefill k) {
            Scratch s = LOCAL.get();
            if (s == null || s.rows != k.rowsPadded || s.d != k.spec.headDim()) {
                s = new Scratch(k.rowsPadded, k.spec.headDim());
                LOCAL.set(s);
            }
            return s;
        }
    }

    private void tile(Operands.Prefill ops, int b, int g, int first, Scratch w) {
        int d = spec.headDim(), seq = spec.seq(), hq = spec.heads();
        int last = Math.min(seq, first + positions) - 1;
        int rows = (last - first + 1) * group;
        // Rows are (position, head within the group); one position's heads are adjacent in Q and O.
        long qBase = ((long) b * seq + first) * hq * d + (long) g * group * d;
        for (int r = 0; r < rowsPadded; r++) {
            if (r < rows) Rows.load(ops.q(), qBase + (long) (r / group) * hq * d + (long) (r % group) * d, w.q, r * d, d);
            else java.util.Arrays.fill(w.q, r * d, (r + 1) * d, 0f);
        }
        java.util.Arrays.fill(w.acc, 0f);
        java.util.Arrays.fill(w.m, Float.NEGATIVE_INFINITY);
        java.util.Arrays.fill(w.l, 0f);

        for (int j0 = 0; j0 <= last; j0 += KEYS) { // blocks beyond the tile's last position are fully masked
            int keys = Math.min(KEYS, seq - j0);
            stageKeys(ops, b, (g + kvShift) % spec.kvHeads(), j0, keys, w);
            for (int r = 0; r < rowsPadded; r += RB) scores(w, r);
            for (int r = 0; r < rowsPadded; r++) softmax(w, r, Math.min(first + r / group, last) - j0 + maskShift);
            for (int r = 0; r < rowsPadded; r += RB)
                for (int c = 0; c < d; c += 2 * F.length()) accumulate(w, r, c);
        }

        long oBase = qBase;
        for (int r = 0; r < rows; r++)
            Rows.store(w.acc, r * d, 1f / w.l[r], ops.o(), oBase + (long) (r / group) * hq * d + (long) (r % group) * d, d);
    }

    /** Widens keys/values {@code j0..j0+keys) of KV head {@code g}: K transposed into kT, V row-major; pads zero. */
    private void stageKeys(Operands.Prefill ops, int b, int g, int j0, int keys, Scratch w) {
        int d = spec.headDim(), hkv = spec.kvHeads();
        float[] row = w.v; // each K row passes through its V slot on its way into kT, then V overwrites it
        for (int j = 0; j < KEYS; j++) {
            if (j < keys) {
                long off = (((long) b * spec.seq() + j0 + j) * hkv + g) * d;
                Rows.load(ops.k(), off, row, j * d, d);
                for (int i = 0; i < d; i++) w.kT[i * KEYS + j] = row[j * d + i];
                Rows.load(ops.v(), off, w.v, j * d, d);
            } else {
                for (int i = 0; i < d; i++) w.kT[i * KEYS + j] = 0f;
                java.util.Arrays.fill(w.v, j * d, (j + 1) * d, 0f);
            }
        }
    }

    /** {@code s[r..r+4)[0..KEYS) = q[r..r+4) · kT}: four rows by two key vectors, query elements broadcast. */
    private void scores(Scratch w, int r) {
        int d = spec.headDim(), lanes = F.length();
        float[] q = w.q, kT = w.kT;
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        int q0 = r * d, q1 = q0 + d, q2 = q1 + d, q3 = q2 + d;
        for (int i = 0; i < d; i++) {
            FloatVector k0 = FloatVector.fromArray(F, kT, i * KEYS), k1 = FloatVector.fromArray(F, kT, i * KEYS + lanes);
            FloatVector b0 = FloatVector.broadcast(F, q[q0 + i]);
            a00 = b0.fma(k0, a00);
            a01 = b0.fma(k1, a01);
            FloatVector b1 = FloatVector.broadcast(F, q[q1 + i]);
            a10 = b1.fma(k0, a10);
            a11 = b1.fma(k1, a11);
            FloatVector b2 = FloatVector.broadcast(F, q[q2 + i]);
            a20 = b2.fma(k0, a20);
            a21 = b2.fma(k1, a21);
            FloatVector b3 = FloatVector.broadcast(F, q[q3 + i]);
            a30 = b3.fma(k0, a30);
            a31 = b3.fma(k1, a31);
        }
        float[] s = w.s;
        int s0 = r * KEYS;
        a00.intoArray(s, s0);
        a01.intoArray(s, s0 + lanes);
        a10.intoArray(s, s0 + KEYS);
        a11.intoArray(s, s0 + KEYS + lanes);
        a20.intoArray(s, s0 + 2 * KEYS);
        a21.intoArray(s, s0 + 2 * KEYS + lanes);
        a30.intoArray(s, s0 + 3 * KEYS);
        a31.intoArray(s, s0 + 3 * KEYS + lanes);
    }

    /**
     * Online softmax step of row {@code r} whose last visible key is {@code visible} (relative to the block):
     * scores become probabilities {@code exp(s·scale - m_new)} in place, {@code l} and the rescale factor update.
     */
    private void softmax(Scratch w, int r, int visible) {
        int lanes = F.length();
        float[] s = w.s;
        int at = r * KEYS;
        FloatVector s0 = FloatVector.fromArray(F, s, at).mul(scale);
        FloatVector s1 = FloatVector.fromArray(F, s, at + lanes).mul(scale);
        if (visible < KEYS - 1) { // the diagonal block: keys past the row's position are masked
            s0 = s0.blend(Float.NEGATIVE_INFINITY, F.indexInRange(0, visible + 1).not());
            s1 = s1.blend(Float.NEGATIVE_INFINITY, F.indexInRange(lanes, visible + 1).not());
        }
        float mOld = w.m[r];
        float mNew = Math.max(mOld, Math.max(s0.reduceLanes(VectorOperators.MAX), s1.reduceLanes(VectorOperators.MAX)));
        FloatVector p0 = s0.sub(mNew).lanewise(VectorOperators.EXP);
        FloatVector p1 = s1.sub(mNew).lanewise(VectorOperators.EXP);
        p0.intoArray(s, at);
        p1.intoArray(s, at + lanes);
        float alpha = (float) Math.exp((mOld - mNew) * rescaleSlope);
        w.alpha[r] = alpha;
        w.l[r] = w.l[r] * alpha + p0.add(p1).reduceLanes(VectorOperators.ADD);
        w.m[r] = mNew;
    }

    /** {@code acc[r..r+4)[c..c+2L) = alpha·acc + Σ_j p[·][j]·v[j][c..c+2L)}. */
    private void accumulate(Scratch w, int r, int c) {
        int d = spec.headDim(), lanes = F.length();
        float[] acc = w.acc, p = w.s, v = w.v;
        int o0 = r * d + c, o1 = o0 + d, o2 = o1 + d, o3 = o2 + d;
        FloatVector a00 = FloatVector.fromArray(F, acc, o0).mul(w.alpha[r]);
        FloatVector a01 = FloatVector.fromArray(F, acc, o0 + lanes).mul(w.alpha[r]);
        FloatVector a10 = FloatVector.fromArray(F, acc, o1).mul(w.alpha[r + 1]);
        FloatVector a11 = FloatVector.fromArray(F, acc, o1 + lanes).mul(w.alpha[r + 1]);
        FloatVector a20 = FloatVector.fromArray(F, acc, o2).mul(w.alpha[r + 2]);
        FloatVector a21 = FloatVector.fromArray(F, acc, o2 + lanes).mul(w.alpha[r + 2]);
        FloatVector a30 = FloatVector.fromArray(F, acc, o3).mul(w.alpha[r + 3]);
        FloatVector a31 = FloatVector.fromArray(F, acc, o3 + lanes).mul(w.alpha[r + 3]);
        int p0 = r * KEYS, p1 = p0 + KEYS, p2 = p1 + KEYS, p3 = p2 + KEYS;
        for (int j = 0; j < KEYS; j++) {
            FloatVector v0 = FloatVector.fromArray(F, v, j * d + c), v1 = FloatVector.fromArray(F, v, j * d + c + lanes);
            FloatVector b0 = FloatVector.broadcast(F, p[p0 + j]);
            a00 = b0.fma(v0, a00);
            a01 = b0.fma(v1, a01);
            FloatVector b1 = FloatVector.broadcast(F, p[p1 + j]);
            a10 = b1.fma(v0, a10);
            a11 = b1.fma(v1, a11);
            FloatVector b2 = FloatVector.broadcast(F, p[p2 + j]);
            a20 = b2.fma(v0, a20);
            a21 = b2.fma(v1, a21);
            FloatVector b3 = FloatVector.broadcast(F, p[p3 + j]);
            a30 = b3.fma(v0, a30);
            a31 = b3.fma(v1, a31);
        }
        a00.intoArray(acc, o0);
        a01.intoArray(acc, o0 + lanes);
        a10.intoArray(acc, o1);
        a11.intoArray(acc, o1 + lanes);
        a20.intoArray(acc, o2);
        a21.intoArray(acc, o2 + lanes);
        a30.intoArray(acc, o3);
        a31.intoArray(acc, o3 + lanes);
    }

    private static int roundUp(int x, int m) { return (x + m - 1) / m * m; }
}

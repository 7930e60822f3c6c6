package dev.tokenmill.ptx;

import dev.tokenmill.ptx.check.Finding;
import dev.tokenmill.ptx.check.FindingKind;
import dev.tokenmill.ptx.exec.Dim3;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * mma.m16n8k16, ldmatrix and cp.async against the ISA's fragment tables and async-group rules. The tables
 * are written out here again (groupID g = lane/4, t = lane%4), independent of the interpreter's code.
 */
@Timeout(60)
class TensorCoreTest {
    private static final String MMA = """
            mul.wide.u32 %rd5, %r1, 40; add.s64 %rd6, %rd1, %rd5;
            ld.global.u32 %r10, [%rd6]; ld.global.u32 %r11, [%rd6+4]; ld.global.u32 %r12, [%rd6+8]; ld.global.u32 %r13, [%rd6+12];
            ld.global.u32 %r14, [%rd6+16]; ld.global.u32 %r15, [%rd6+20];
            ld.global.f32 %f10, [%rd6+24]; ld.global.f32 %f11, [%rd6+28]; ld.global.f32 %f12, [%rd6+32]; ld.global.f32 %f13, [%rd6+36];
            mma.sync.aligned.m16n8k16.row.col.f32.T.T.f32 {%f20,%f21,%f22,%f23}, {%r10,%r11,%r12,%r13}, {%r14,%r15}, {%f10,%f11,%f12,%f13};
            mul.wide.u32 %rd7, %r1, 16; add.s64 %rd8, %rd0, %rd7;
            st.global.f32 [%rd8], %f20; st.global.f32 [%rd8+4], %f21; st.global.f32 [%rd8+8], %f22; st.global.f32 [%rd8+12], %f23;
            """;

    private static int half(float v, boolean bf16) {
        return bf16 ? Float.floatToRawIntBits(v) >>> 16 : Float.floatToFloat16(v) & 0xFFFF;
    }

    /** Runs one mma with A[16][16], B[16][8] (k, n), C[16][8]; returns D[16][8] read back through the C/D table. */
    private static float[][] mma(float[][] a, float[][] b, float[][] c, boolean bf16) {
        return mma(a, b, c, bf16, "{%f20,%f21,%f22,%f23}");
    }

    /** As above with the destination registers {@code d} (which may be the A, B or C registers). */
    private static float[][] mma(float[][] a, float[][] b, float[][] c, boolean bf16, String dst) {
        int[] in = operands(a, b, c, bf16);
        String[] dr = dst.substring(1, dst.length() - 1).split(",");
        String body = MMA.replace(".T.T.", bf16 ? ".bf16.bf16." : ".f16.f16.").replace("{%f20,%f21,%f22,%f23}, {%r10", dst + ", {%r10");
        for (int i = 0; i < 4; i++) body = body.replace("], %f2" + i + ";", "], " + dr[i] + ";");
        PtxModule m = Ptx.kernel("", body);
        Ptx.Run r = new Ptx.Run(128, in).launch(m, Dim3.of(1), Dim3.of(32), 0);
        assertTrue(r.report.clean(), r.report::toString);
        assertEquals(2 * 16 * 8 * 16, r.report.counters().tensorFlops());
        return result(r.floats(128));
    }

    /** Per lane: A's four registers, B's two, C's four (f32), through the fragment tables. */
    private static int[] operands(float[][] a, float[][] b, float[][] c, boolean bf16) {
        int[] in = new int[32 * 10];
        for (int lane = 0; lane < 32; lane++) {
            int g = lane / 4, t = lane % 4;
            for (int i = 0; i < 8; i++) {
                int row = (i < 2 || (i >= 4 && i < 6)) ? g : g + 8;
                int col = i < 4 ? t * 2 + (i & 1) : t * 2 + (i & 1) + 8;
                in[lane * 10 + i / 2] |= half(a[row][col], bf16) << (16 * (i % 2));
            }
            for (int i = 0; i < 4; i++) {
                int row = i < 2 ? t * 2 + (i & 1) : t * 2 + (i & 1) + 8;
                in[lane * 10 + 4 + i / 2] |= half(b[row][g], bf16) << (16 * (i % 2));
            }
            for (int i = 0; i < 4; i++) {
                in[lane * 10 + 6 + i] = Float.floatToRawIntBits(c[i < 2 ? g : g + 8][t * 2 + (i & 1)]);
            }
        }
        return in;
    }

    /** D[16][8] from each lane's four outputs, through the C/D table. */
    private static float[][] result(float[] out) {
        float[][] d = new float[16][8];
        for (int lane = 0; lane < 32; lane++) {
            int g = lane / 4, t = lane % 4;
            for (int i = 0; i < 4; i++) d[i < 2 ? g : g + 8][t * 2 + (i & 1)] = out[lane * 4 + i];
        }
        return d;
    }

    @Test
    void eachOutputIdentifiesTheElementsThatFedIt() {
        for (boolean bf16 : new boolean[] {false, true}) {
            float[][] a = new float[16][16], c = new float[16][8];
            for (int m = 0; m < 16; m++) for (int k = 0; k < 16; k++) a[m][k] = m * 16 + k + 1; // <= 256: exact in f16 and bf16
            for (int m = 0; m < 16; m++) for (int n = 0; n < 8; n++) c[m][n] = 1000 * (m * 8 + n);
            for (int shift : new int[] {0, 8}) { // B selects column n (or n + 8) of A
                float[][] b = new float[16][8];
                for (int n = 0; n < 8; n++) b[n + shift][n] = 1;
                float[][] d = mma(a, b, c, bf16);
                for (int m = 0; m < 16; m++) {
                    for (int n = 0; n < 8; n++) assertEquals(c[m][n] + a[m][n + shift], d[m][n], "bf16=" + bf16 + " D[" + m + "][" + n + "]");
                }
            }
            float[][] id = new float[16][16], b = new float[16][8];
            for (int k = 0; k < 16; k++) id[k][k] = 1;
            for (int k = 0; k < 16; k++) for (int n = 0; n < 8; n++) b[k][n] = k * 8 + n + 1;
            float[][] d = mma(id, b, c, bf16);
            for (int m = 0; m < 16; m++) for (int n = 0; n < 8; n++) assertEquals(c[m][n] + b[m][n], d[m][n], "identity A, D[" + m + "][" + n + "]");
        }
    }

    @Test
    void accumulatesInF32() {
        // 16 products of 1 * 2^-11 added to 1: f16 accumulation would lose them, f32 keeps them
        float[][] a = new float[16][16], b = new float[16][8], c = new float[16][8];
        for (int k = 0; k < 16; k++) a[0][k] = 1;
        for (int k = 0; k < 16; k++) b[k][0] = 0x1p-11f;
        c[0][0] = 1;
        assertEquals(1 + 16 * 0x1p-11f, mma(a, b, c, false)[0][0]);
    }

    /**
     * The documented model, element by element on random operands (normal, subnormal and huge f16/bf16 values,
     * some infinities and NaNs): D[m][n] = C[m][n] + A[m][0]B[0][n] + ... + A[m][15]B[15][n], each product exact
     * and each sum rounded to double in this k order, then rounded once to f32 (any NaN canonical). Also with D
     * written over C and over A, which the warp must read in full before writing.
     */
    @Test
    void randomOperandsGiveTheDocumentedSumBitForBit() {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(10);
        for (boolean bf16 : new boolean[] {false, true}) {
            for (String d : new String[] {"{%f20,%f21,%f22,%f23}", "{%f10,%f11,%f12,%f13}", "{%r10,%r11,%r12,%r13}"}) {
                float[][] a = new float[16][16], b = new float[16][8], c = new float[16][8];
                for (float[] row : a) for (int k = 0; k < 16; k++) row[k] = operand(rnd, bf16);
                for (float[] row : b) for (int n = 0; n < 8; n++) row[n] = operand(rnd, bf16);
                for (float[] row : c) for (int n = 0; n < 8; n++) row[n] = (float) (rnd.nextDouble(-4, 4) * Math.pow(2, rnd.nextInt(-20, 20)));
                float[][] got = mma(a, b, c, bf16, d);
                for (int m = 0; m < 16; m++) {
                    for (int n = 0; n < 8; n++) {
                        double s = c[m][n];
                        for (int k = 0; k < 16; k++) s += (double) a[m][k] * b[k][n];
                        float want = (float) s;
                        int bits = want != want ? 0x7FFFFFFF : Float.floatToRawIntBits(want);
                        assertEquals(bits, Float.floatToRawIntBits(got[m][n]), "bf16=" + bf16 + " D=" + d + " D[" + m + "][" + n + "]");
                    }
                }
            }
        }
    }

    /**
     * The same A and B registers in seven mmas: after the first, lane 5 rewrites its first A register (A[1][2] and
     * A[1][3] become 2); the third reads the same bits as bf16; before each of the last four, lane 5 rewrites it
     * again. Each result must follow the registers' bits at its own mma, whatever the interpreter keeps from one
     * mma to the next.
     */
    @Test
    void eachMmaReadsItsOperandRegistersAsTheyAreThen() {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(11);
        float[][] a = new float[16][16], b = new float[16][8], c = new float[16][8];
        for (float[] row : a) for (int k = 0; k < 16; k++) row[k] = operand(rnd, false);
        for (float[] row : b) for (int n = 0; n < 8; n++) row[n] = operand(rnd, false);
        for (float[] row : c) for (int n = 0; n < 8; n++) row[n] = (float) rnd.nextDouble(-4, 4);
        int[] in = operands(a, b, c, false);
        String body = MMA.replace(".T.T.", ".f16.f16.") // D1 = A B + C
                .replace("mul.wide.u32 %rd7", """
                        setp.eq.u32 %p1, %r1, 5;
                        @%p1 mov.b32 %r10, 0x40004000;
                        mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%f24,%f25,%f26,%f27}, {%r10,%r11,%r12,%r13}, {%r14,%r15}, {%f20,%f21,%f22,%f23};
                        mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%f28,%f29,%f30,%f31}, {%r10,%r11,%r12,%r13}, {%r14,%r15}, {%f24,%f25,%f26,%f27};
                        MORE
                        mul.wide.u32 %rd7""".replace("MORE", more()));
        for (int i = 0; i < 4; i++) body = body.replace("], %f2" + i + ";", "], %f" + (44 + i) + ";");
        Ptx.Run r = new Ptx.Run(128, in).launch(Ptx.kernel("", body), Dim3.of(1), Dim3.of(32), 0);
        assertTrue(r.report.clean(), r.report::toString);
        float[][] d = sum(a, b, c);
        a[1][2] = a[1][3] = 2;
        d = sum(a, b, d);
        float[][] a16 = new float[16][16], b16 = new float[16][8]; // the same bits read as bf16
        for (int m = 0; m < 16; m++) for (int k = 0; k < 16; k++) a16[m][k] = asBf16(a[m][k]);
        for (int k = 0; k < 16; k++) for (int n = 0; n < 8; n++) b16[k][n] = asBf16(b[k][n]);
        d = sum(a16, b16, d);
        for (int v = 3; v <= 6; v++) { // more fragments than the interpreter keeps: every one widened afresh
            a[1][2] = a[1][3] = v;
            d = sum(a, b, d);
        }
        float[][] got = result(r.floats(128));
        for (int m = 0; m < 16; m++) {
            for (int n = 0; n < 8; n++) assertEquals(Float.floatToRawIntBits(d[m][n]), Float.floatToRawIntBits(got[m][n]), "D[" + m + "][" + n + "]");
        }
    }

    /** Four more f16 mmas, accumulating from %f28.. to %f44..; before each, lane 5 sets A[1][2] and A[1][3] to 3, 4, 5, 6. */
    private static String more() {
        StringBuilder b = new StringBuilder();
        for (int v = 3; v <= 6; v++) {
            int c = 28 + 4 * (v - 3), d = c + 4, h = Float.floatToFloat16(v) & 0xFFFF;
            b.append(String.format("@%%p1 mov.b32 %%r10, 0x%08x;%n", h << 16 | h));
            b.append(String.format("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%%f%d,%%f%d,%%f%d,%%f%d}, {%%r10,%%r11,%%r12,%%r13}, "
                    + "{%%r14,%%r15}, {%%f%d,%%f%d,%%f%d,%%f%d};%n", d, d + 1, d + 2, d + 3, c, c + 1, c + 2, c + 3));
        }
        return b.toString();
    }

    /** The documented model: C + A[m][0]B[0][n] + ... in double, rounded once to f32, NaN canonical. */
    private static float[][] sum(float[][] a, float[][] b, float[][] c) {
        float[][] d = new float[16][8];
        for (int m = 0; m < 16; m++) {
            for (int n = 0; n < 8; n++) {
                double s = c[m][n];
                for (int k = 0; k < 16; k++) s += (double) a[m][k] * b[k][n];
                float f = (float) s;
                d[m][n] = f != f ? Float.intBitsToFloat(0x7FFFFFFF) : f;
            }
        }
        return d;
    }

    private static float asBf16(float f16Value) {
        return Float.intBitsToFloat((Float.floatToFloat16(f16Value) & 0xFFFF) << 16);
    }

    /** A random value exactly representable in f16 (or bf16): mostly normal, some subnormal, huge, infinite or NaN. */
    private static float operand(java.util.SplittableRandom rnd, boolean bf16) {
        int pick = rnd.nextInt(200);
        float v;
        if (pick < 1) v = Float.NaN;
        else if (pick < 2) v = rnd.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
        else if (pick < 20) v = (float) (rnd.nextDouble(-1, 1) * (bf16 ? 0x1p-126 : 0x1p-14)); // subnormal
        else if (pick < 30) v = (float) (rnd.nextDouble(-1, 1) * (bf16 ? 0x1p120 : 0x1p15)); // near the top of the range
        else v = (float) (rnd.nextDouble(-2, 2) * Math.pow(2, rnd.nextInt(-6, 6)));
        int h = half(v, bf16);
        return bf16 ? Float.intBitsToFloat(h << 16) : Float.float16ToFloat((short) h);
    }

    /** Four 8x8 matrices of b16, element (i, r, c) = i*64 + r*8 + c, rows stored in a scrambled order. */
    private static int[] ldmatrix(boolean trans) {
        return ldmatrix(trans, false);
    }

    /** As above; {@code half}: only lanes 0..15 take the matrices (a guard), the others keep zeros. */
    private static int[] ldmatrix(boolean trans, boolean half) {
        int[] in = new int[128 + 32];
        int[] slotOf = new int[32];
        for (int row = 0; row < 32; row++) slotOf[row] = (row / 8) * 8 + (row % 8 * 3) % 8; // row j of matrix i -> slot
        for (int row = 0; row < 32; row++) {
            for (int c = 0; c < 8; c += 2) {
                int i = row / 8, r = row % 8;
                in[slotOf[row] * 4 + c / 2] = (i * 64 + r * 8 + c) | (i * 64 + r * 8 + c + 1) << 16;
            }
        }
        for (int lane = 0; lane < 32; lane++) in[128 + lane] = slotOf[lane] * 16; // lane 8i+j: row j of matrix i
        PtxModule m = Ptx.kernel(".shared .align 16 .b8 tile[512];", """
                mul.wide.u32 %rd5, %r1, 16; add.s64 %rd6, %rd1, %rd5;
                ld.global.v4.u32 {%r10,%r11,%r12,%r13}, [%rd6];
                mov.u32 %r2, tile; mul.lo.u32 %r3, %r1, 16; add.u32 %r4, %r2, %r3;
                st.shared.v4.u32 [%r4], {%r10,%r11,%r12,%r13};
                bar.sync 0;
                ld.global.u32 %r5, [%rd4+512];
                add.u32 %r6, %r2, %r5;
                ldmatrix.sync.aligned.m8n8.x4.TRANSshared.b16 {%r20,%r21,%r22,%r23}, [%r6];
                st.global.v4.u32 [%rd8], {%r20,%r21,%r22,%r23};
                """.replace("TRANS", trans ? "trans." : "").replace("[%rd8]", "[%rd9]")
                .replace("ldmatrix", "mul.wide.u32 %rd7, %r1, 16; add.s64 %rd9, %rd0, %rd7;\nldmatrix")
                .replace("ldmatrix", half ? "setp.lt.u32 %p2, %r1, 16; @%p2 ldmatrix" : "ldmatrix"));
        Ptx.Run r = new Ptx.Run(128, in).launch(m, Dim3.of(1), Dim3.of(32), 0);
        assertTrue(r.report.clean(), r.report::toString);
        assertEquals(4, r.report.counters().ldmatrixWavefronts, "each 8x8 matrix is one conflict-free phase");
        return r.ints(128);
    }

    @Test
    void ldmatrixGivesEachLaneTwoElementsOfARow() {
        int[] out = ldmatrix(false);
        for (int t = 0; t < 32; t++) {
            for (int i = 0; i < 4; i++) {
                int r = t / 4, c = 2 * (t % 4);
                int expect = (i * 64 + r * 8 + c) | (i * 64 + r * 8 + c + 1) << 16;
                assertEquals(expect, out[t * 4 + i], "lane " + t + " matrix " + i);
            }
        }
    }

    @Test
    void ldmatrixTransGivesEachLaneTwoElementsOfAColumn() {
        int[] out = ldmatrix(true);
        for (int t = 0; t < 32; t++) {
            for (int i = 0; i < 4; i++) {
                int col = t / 4, r0 = 2 * (t % 4);
                int expect = (i * 64 + r0 * 8 + col) | (i * 64 + (r0 + 1) * 8 + col) << 16;
                assertEquals(expect, out[t * 4 + i], "lane " + t + " matrix " + i);
            }
        }
    }

    @Test
    void ldmatrixUnderAGuardWritesOnlyTheLanesThatTakeIt() {
        for (boolean trans : new boolean[] {false, true}) {
            int[] out = ldmatrix(trans, true);
            for (int t = 0; t < 32; t++) {
                for (int i = 0; i < 4; i++) {
                    int a = t / 4, b = 2 * (t % 4); // row a, columns b and b+1; or column a, rows b and b+1
                    int expect = t >= 16 ? 0 : trans ? (i * 64 + b * 8 + a) | (i * 64 + (b + 1) * 8 + a) << 16
                            : (i * 64 + a * 8 + b) | (i * 64 + a * 8 + b + 1) << 16;
                    assertEquals(expect, out[t * 4 + i], "trans=" + trans + " lane " + t + " matrix " + i);
                }
            }
        }
    }

    @Test
    void cpAsyncLandsAtTheWaitThatRetiresItsGroupAndZeroFills() {
        int[] in = new int[256];
        for (int k = 0; k < in.length; k++) in[k] = 0x1000 + k;
        PtxModule m = Ptx.kernel(".shared .align 16 .b8 buf[1024];", """
                mov.u32 %r2, buf; mul.lo.u32 %r3, %r1, 16; add.u32 %r4, %r2, %r3; add.u32 %r5, %r4, 512;
                st.shared.v4.u32 [%r4], {-1, -1, -1, -1};
                st.shared.v4.u32 [%r5], {-1, -1, -1, -1};
                mul.wide.u32 %rd5, %r1, 16; add.s64 %rd6, %rd1, %rd5; add.s64 %rd7, %rd6, 512;
                cp.async.cg.shared.global [%r4], [%rd6], 16, 4;
                cp.async.commit_group;
                cp.async.cg.shared.global [%r5], [%rd7], 16;
                cp.async.commit_group;
                ld.shared.u32 %r6, [%r4];
                cp.async.wait_group 1;
                ld.shared.v4.u32 {%r7,%r8,%r9,%r10}, [%r4];
                ld.shared.u32 %r11, [%r5];
                cp.async.wait_group 0;
                ld.shared.u32 %r12, [%r5];
                mul.wide.u32 %rd8, %r1, 32; add.s64 %rd9, %rd0, %rd8;
                st.global.v4.u32 [%rd9], {%r6, %r7, %r8, %r9};
                st.global.v4.u32 [%rd9+16], {%r10, %r11, %r12, 0};
                """);
        Ptx.Run r = new Ptx.Run(256, in).launch(m, Dim3.of(1), Dim3.of(32), 0);
        int[] out = r.ints(256);
        for (int l = 0; l < 32; l++) {
            assertEquals(-1, out[l * 8], "before any wait the destination still holds its old bytes");
            assertEquals(in[4 * l], out[l * 8 + 1], "group 0 landed at wait_group 1");
            assertEquals(0, out[l * 8 + 2], "src-size 4 of 16: zero fill");
            assertEquals(0, out[l * 8 + 3]);
            assertEquals(0, out[l * 8 + 4]);
            assertEquals(-1, out[l * 8 + 5], "group 1 is still in flight after wait_group 1");
            assertEquals(in[128 + 4 * l], out[l * 8 + 6], "group 1 landed at wait_group 0");
        }
        assertEquals(2, r.report.findings().size(), r.report::toString);
        for (Finding f : r.report.findings()) {
            assertEquals(FindingKind.CP_ASYNC_READ_BEFORE_WAIT, f.kind());
            assertEquals(32, f.occurrences());
        }
        assertEquals(24, r.report.findings().get(0).line());
        assertEquals(27, r.report.findings().get(1).line());
        assertEquals(64 * 16, r.report.counters().cpAsyncBytes);
        assertEquals(32 * 4 + 32 * 16, r.report.counters().cpAsyncSourceBytes);
    }
}

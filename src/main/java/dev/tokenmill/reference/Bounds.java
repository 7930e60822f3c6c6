package dev.tokenmill.reference;

import dev.tokenmill.op.DType;

/**
 * How far a correct kernel's output may be from the float64 reference, per output element, computed from the
 * operands themselves. BOUNDS.md (next to this class) derives each term; in short, for an fp32-accumulating kernel:
 * <ul>
 *   <li>linear: {@code γ(K)·Σ|x_k·w_k|}, then the rounding into the output dtype; zero, and so a bit-for-bit
 *       comparison, when every partial sum is exactly representable in fp32 ({@link #exactInFp32});</li>
 *   <li>attention: a relative perturbation of every softmax weight (the scores' dot-product error, the exponentials,
 *       the online rescales and the split merge), an accumulation term that grows with the context length, P rounded
 *       to the input dtype where a kernel does that, then the output's rounding.</li>
 * </ul>
 * {@code γ(n) = n·ε / (1 − n·ε)} with {@link #EPS}.
 */
final class Bounds {
    /**
     * Relative error of one fp32 operation: a whole ulp (2^-23), not the half ulp of round-to-nearest, because tensor
     * cores' multi-term adders truncate (Fasi et al., "Numerical behavior of NVIDIA tensor cores", 2021). The CPU
     * backend rounds to nearest, so its bound is twice as loose as it needs to be: one bound serves every backend.
     */
    static final double EPS = 0x1p-23;
    /** Relative error of the float64 reference's own operations. */
    static final double EPS64 = 0x1p-52;
    /** Accuracy of exp/exp2 in ulps: CUDA's exp2f is within 2; Math.exp (which the Vector API's EXP follows) within 1. */
    static final double EXP_ULPS = 2;
    /**
     * Fewest keys between two rescales of an online softmax, in every kernel here: the CPU prefill's key blocks (two
     * vectors, 8 keys even on 128-bit SIMD), the CPU decode's tiles (64), the GPU's tiles (32, 64) or none (the GPU
     * decode takes each chunk's max first). A kernel that rescaled after every key would need 1 here.
     */
    static final int MIN_RESCALE_TILE = 8;

    private Bounds() {}

    static double gamma(double n) { return gamma(n, EPS); }

    private static double gamma(double n, double eps) {
        double nu = n * eps;
        return nu >= 1 ? Double.POSITIVE_INFINITY : nu / (1 - nu);
    }

    /** Relative error of rounding an fp32 value into the dtype: half an ulp (none for f32, already fp32). */
    static double roundOff(DType t) {
        return switch (t) {
            case F32 -> 0;
            case F16 -> 0x1p-11;
            case BF16 -> 0x1p-8;
        };
    }

    /** Absolute error of rounding into the dtype's subnormal range: half the smallest subnormal. */
    static double underflow(DType t) {
        return switch (t) {
            case F32 -> 0x1p-150;
            case F16 -> 0x1p-25;
            case BF16 -> 0x1p-134;
        };
    }

    /** The dtype's unit in the last place at {@code x} (its subnormal spacing near zero). */
    static double ulp(DType t, double x) {
        int e = Math.getExponent(x);
        return switch (t) {
            case F32 -> Math.scalb(1.0, Math.max(e, -126) - 23);
            case F16 -> Math.scalb(1.0, Math.max(e, -14) - 10);
            case BF16 -> Math.scalb(1.0, Math.max(e, -126) - 7);
        };
    }

    /**
     * Whether fp32 sums exactly, in any order and grouping, terms that are all multiples of 2^grain and whose
     * magnitudes add up to {@code absSum}: every partial sum is then such a multiple, at most {@code absSum} in
     * magnitude, and fp32's 24-bit significand holds every multiple of 2^grain up to 2^(24 + grain).
     */
    static boolean exactInFp32(double absSum, int grain) {
        return absSum <= Math.scalb(1.0, 24 + grain);
    }

    /** Output {@code y} of a dot product of length {@code k} whose terms' magnitudes add up to {@code absSum}. */
    static double linear(DType t, int k, double y, double absSum) {
        double acc = gamma(k) * absSum + gamma(k, EPS64) * absSum;
        return acc + roundOff(t) * (Math.abs(y) + acc) + underflow(t);
    }

    /**
     * What the bound of a softmax-weighted sum needs to know about one query's softmax: {@code n} keys, the largest
     * error of a score ({@code γ(D+3)·Σ|q_i·k_i|/√D}), the range and the largest magnitude of the scores.
     */
    record Softmax(int n, double scoreError, double range, double maxAbs) {
        /**
         * Bound on the relative perturbation of every weight {@code exp(z_t − m)}, as a factor {@code e^W}: the score's
         * error, the subtraction and the exponential; the rescales of the running sums (at most one per
         * {@link #MIN_RESCALE_TILE} keys, each an exponential and a multiply, their arguments adding up to at most the
         * range); and the log-sum-exp merge of split-KV partials.
         */
        double weightLog() {
            double delta = scoreError, r = range + 2 * delta;
            double own = delta + EPS * (r + EXP_ULPS);
            double rescales = EPS * (Math.ceil((double) n / MIN_RESCALE_TILE) * (EXP_ULPS + 1) + r);
            double merge = EPS * (3 * (maxAbs + r + Math.log(n)) + 2 * EXP_ULPS + 4);
            return own + rescales + merge;
        }
    }

    /**
     * Output element {@code o = Σ_t π_t·v_t} of attention, with {@code s = Σ_t π_t·|v_t|} and {@code vAbs = Σ_t |v_t|}
     * over the same keys; {@code pRounded}: the kernels may round the weights P to the input dtype before P·V (the
     * tensor-core prefill kernels do).
     */
    static double attention(DType t, boolean pRounded, Softmax sm, double o, double s, double vAbs) {
        double w = Math.expm1(sm.weightLog()) + gamma(sm.n() + 4) + gamma(sm.n() + 256, EPS64);
        double pRound = pRounded ? roundOff(t) : 0, pUnder = pRounded ? underflow(t) : 0;
        double err = ((2 * w + pRound) * s + pUnder * vAbs) / (1 - w);
        return err + roundOff(t) * (Math.abs(o) + err) + underflow(t);
    }
}

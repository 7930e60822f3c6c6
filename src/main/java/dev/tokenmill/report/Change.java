package dev.tokenmill.report;

import org.apache.commons.statistics.distribution.NormalDistribution;
import org.apache.commons.statistics.inference.AlternativeHypothesis;
import org.apache.commons.statistics.inference.MannWhitneyUTest;

import java.util.Arrays;

/**
 * How a record's time changed from a base run to a new one, judged on both runs' samples (per-iteration times), as
 * benchstat judges Go benchmarks: a two-sided Mann–Whitney U test says whether the change is significant; the ratio
 * and its interval are the estimate and the confidence interval that go with that test (Hodges–Lehmann on the log
 * scale): the median, and a pair of order statistics, of all {@code n·m} ratios {@code new_j / base_i}.
 * <p>
 * Rank-based on purpose: timings are skewed and often bimodal (a fork that got a worse JIT or memory placement), so
 * no normal model holds, and one outlier moves a rank test by one rank, never by its size. The test's p-value comes
 * from Apache Commons Statistics (exact for small samples without ties, the normal approximation with a tie
 * correction otherwise).
 *
 * @param ratio       new time over base time (above 1: slower); the Hodges–Lehmann estimate
 * @param ciLow       the ratio's confidence interval at level {@code 1 - alpha} (the test's), low end; null when the
 *                    samples are too few for one
 * @param ciHigh      its high end; null likewise
 * @param pValue      the two-sided Mann–Whitney U p-value
 * @param nBase       samples in the base run
 * @param nNew        samples in the new run
 * @param significant whether {@code pValue < alpha}
 */
public record Change(double ratio, Double ciLow, Double ciHigh, double pValue, int nBase, int nNew, boolean significant) {

    /** Beyond this many pairs, U's null distribution is taken as normal (it is very close by then). */
    static final int EXACT_PAIRS = 10_000;

    /** The change from {@code base} to {@code next} (positive times, at least one each), significant below {@code alpha}. */
    public static Change of(double[] base, double[] next, double alpha) {
        if (base.length == 0 || next.length == 0) throw new IllegalArgumentException("a change needs samples on both sides");
        if (!(alpha > 0 && alpha < 1)) throw new IllegalArgumentException("alpha must be between 0 and 1, got " + alpha);
        double p = MannWhitneyUTest.withDefaults().with(AlternativeHypothesis.TWO_SIDED).test(next, base).getPValue();
        if (Double.isNaN(p)) p = 1;   // every sample tied (a fast op's quantized median): no evidence of a change
        double[] logRatios = new double[base.length * next.length];
        int i = 0;
        for (double b : base)
            for (double x : next) {
                if (!(b > 0 && x > 0)) throw new IllegalArgumentException("times must be positive, got " + b + " and " + x);
                logRatios[i++] = Math.log(x / b);
            }
        Arrays.sort(logRatios);
        int k = lowRank(base.length, next.length, alpha);
        Double low = k == 0 ? null : Math.exp(logRatios[k - 1]), high = k == 0 ? null : Math.exp(logRatios[logRatios.length - k]);
        return new Change(Math.exp(Noise.median(logRatios)), low, high, p, base.length, next.length, p < alpha);
    }

    /**
     * The 1-based rank k of the interval's low end among the sorted pairwise log ratios: the largest k with
     * {@code P(U <= k-1) <= alpha/2} under U's null distribution (the test's critical value plus one); 0 when even
     * the most extreme U is more likely than that (e.g. 3 samples a side at 95%), so no interval exists.
     */
    static int lowRank(int n, int m, double alpha) {
        long pairs = (long) n * m;
        if (pairs > EXACT_PAIRS) {
            double sd = Math.sqrt(pairs * (n + m + 1) / 12.0);
            double z = NormalDistribution.of(0, 1).inverseCumulativeProbability(1 - alpha / 2);
            return (int) Math.max(0, Math.floor(pairs / 2.0 - z * sd));
        }
        double[] counts = nullDistribution(n, m);
        double total = 0;
        for (double c : counts) total += c;
        int k = 0;
        double below = 0;
        while (k < counts.length) {
            below += counts[k];   // P(U <= k)
            if (below / total > alpha / 2) break;
            k++;
        }
        return Math.min(k, (int) ((pairs + 1) / 2));
    }

    /**
     * How many orderings of {@code n} and {@code m} distinct values give each U = 0..n·m: the coefficients of the
     * Gaussian binomial {@code [n+m choose n](q) = prod_{i=1..n} (1 - q^(m+i)) / (1 - q^i)}, multiplied out one factor
     * at a time (a division by {@code 1 - q^i} is a running sum with stride i).
     */
    static double[] nullDistribution(int n, int m) {
        int size = n * m + 1;
        double[] c = new double[size];
        c[0] = 1;
        for (int i = 1; i <= n; i++) {
            int up = m + i;
            for (int u = size - 1; u >= up; u--) c[u] -= c[u - up];
            for (int u = i; u < size; u++) c[u] += c[u - i];
        }
        return c;
    }
}

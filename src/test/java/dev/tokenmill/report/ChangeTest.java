package dev.tokenmill.report;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChangeTest {
    /** Ten samples around {@code ms} spread evenly over ±{@code spread} (a share of ms), in a shuffled order. */
    static double[] samples(double ms, double spread) {
        double[] x = new double[10];
        for (int i = 0; i < x.length; i++) x[(i * 7) % 10] = ms * (1 + spread * (2.0 * i / (x.length - 1) - 1));
        return x;
    }

    static double[] scaled(double[] x, double factor) { return Arrays.stream(x).map(v -> v * factor).toArray(); }

    @Test
    void aRunComparedWithItselfIsNoChange() {
        double[] base = samples(2.0, 0.03);
        Change c = Change.of(base, base.clone(), 0.05);
        assertEquals(1.0, c.ratio(), 1e-12);
        assertEquals(1.0, c.pValue(), 1e-9);
        assertFalse(c.significant());
        assertTrue(c.ciLow() < 1 && c.ciHigh() > 1, c.toString());
        assertFalse(c.significant());
    }

    @Test
    void aThirtyPercentSlowdownIsSignificantAndMeasuredAsSuch() {
        double[] base = samples(2.0, 0.03);
        Change c = Change.of(base, scaled(base, 1.3), 0.05);
        assertEquals(1.3, c.ratio(), 1e-9);
        assertTrue(c.significant(), c.toString());
        assertTrue(c.pValue() < 1e-3, c.toString());   // no overlap: the exact p is 2/C(20,10) = 1.1e-5
        assertTrue(c.ciLow() > 1.2 && c.ciLow() <= 1.3 && c.ciHigh() >= 1.3 && c.ciHigh() < 1.4, c.toString());
        assertTrue(c.significant() && c.ratio() > 1.05);
        assertTrue(c.ratio() < 1.5, "a 30% regression is under a 50% threshold");
        Change faster = Change.of(base, scaled(base, 1 / 1.3), 0.05);
        assertTrue(faster.significant() && faster.ratio() < 1);
        assertTrue(faster.significant() && faster.ratio() < 1, "faster");
    }

    @Test
    void aFivePercentSlowdownUnder20PercentNoiseIsNotSignificant() {
        double[] base = samples(2.0, 0.20);
        Change c = Change.of(base, scaled(samples(2.0, 0.20), 1.05), 0.05);
        assertFalse(c.significant(), c.toString());
        assertTrue(c.ciLow() < 1 && c.ciHigh() > 1.05, "the interval holds both no change and the slowdown: " + c);
        assertFalse(c.significant());
        // and with random noise of that size, over many seeds, a 5% change is rarely significant
        Random random = new Random(12);
        int significant = 0;
        for (int trial = 0; trial < 200; trial++) {
            double[] a = new double[10], b = new double[10];
            for (int i = 0; i < 10; i++) {
                a[i] = 2.0 * (1 + 0.2 * random.nextGaussian() / 2);
                b[i] = 2.1 * (1 + 0.2 * random.nextGaussian() / 2);
            }
            if (Change.of(a, b, 0.05).significant()) significant++;
        }
        assertTrue(significant < 60, significant + " of 200");
    }

    @Test
    void tenSamplesASideDetectAFivePercentChangeInATwoPercentNoisyKernel() {
        // the claim behind Defaults.ALPHA
        Change c = Change.of(samples(2.0, 0.02), scaled(samples(2.0, 0.02), 1.05), dev.tokenmill.Defaults.ALPHA);
        assertTrue(c.significant() && c.ratio() > 1.03, c.toString());
    }

    @Test
    void theIntervalRanksComeFromUsExactNullDistribution() {
        // Textbook critical values of U, two-sided 5%: n = m = 10: 23; n = m = 6: 5; n = m = 4: 0; n = m = 3: none.
        assertEquals(24, Change.lowRank(10, 10, 0.05));
        assertEquals(6, Change.lowRank(6, 6, 0.05));
        assertEquals(1, Change.lowRank(4, 4, 0.05));
        assertEquals(0, Change.lowRank(3, 3, 0.05));
        double[] d = Change.nullDistribution(2, 2);   // U of 2 vs 2: 0,1,2,2,1 orderings for U = 0..4
        assertEquals("[1.0, 1.0, 2.0, 1.0, 1.0]", Arrays.toString(d));
        assertEquals(184756, Arrays.stream(Change.nullDistribution(10, 10)).sum(), 1e-6);   // C(20, 10)
        // the normal approximation takes over smoothly for large samples
        int exact = Change.lowRank(100, 100, 0.05);
        int approx = (int) Math.floor(5000 - 1.959964 * Math.sqrt(10000 * 201 / 12.0));
        assertTrue(Math.abs(exact - approx) <= 2, exact + " vs " + approx);
        assertEquals(approx, Change.lowRank(101, 100, 0.05), 60);
    }

    @Test
    void tooFewSamplesGiveNoIntervalAndCannotBeSignificant() {
        Change c = Change.of(new double[]{1, 1.01, 0.99}, new double[]{2, 2.02, 1.98}, 0.05);
        assertNull(c.ciLow());
        assertNull(c.ciHigh());
        assertNotNull(c.ratio());
        assertFalse(c.significant(), "3 against 3: the smallest two-sided p is 0.1");
    }

    @Test
    void identicalSamplesOnBothSidesAreNoChange() {
        double[] same = {5, 5, 5, 5, 5, 5};
        Change c = Change.of(same, same.clone(), 0.05);
        assertEquals(1.0, c.ratio());
        assertEquals(1.0, c.pValue(), c.toString());
        assertFalse(c.significant(), c.toString());
    }
}

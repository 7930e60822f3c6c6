package dev.tokenmill.report;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class NoiseTest {
    @Test
    void theIntervalOfTheMedianIsThePairOfOrderStatisticsTheBinomialAllows() {
        // n = 10: P(B <= 1) = 11/1024, so [x(2), x(9)] covers the median 97.9% of the time; [x(3), x(8)] only 89%.
        Noise n = Noise.of(new double[]{10, 1, 9, 2, 8, 3, 7, 4, 6, 5}, 0.95);
        assertEquals(10, n.n());
        assertEquals(5.5, n.medianMs());
        assertEquals(2.0, n.ciLowMs());
        assertEquals(9.0, n.ciHighMs());
        assertEquals(Math.sqrt(55 / 6.0) / 5.5, n.cv(), 1e-12);
        assertEquals(3.5 / 5.5, n.halfWidth(), 1e-12);
    }

    @Test
    void sixSamplesAreTheFewestThatGiveA95PercentInterval() {
        // n = 6: [min, max] misses the median with probability 2/64 = 3.1%; n = 5: 2/32 = 6.25%, too often.
        assertEquals(1, Noise.orderStatistic(6, 0.95));
        assertEquals(0, Noise.orderStatistic(5, 0.95));
        Noise five = Noise.of(new double[]{1, 2, 3, 4, 5}, 0.95);
        assertNull(five.ciLowMs());
        assertNull(five.ciHighMs());
        assertNull(five.halfWidth());
        assertEquals(3.0, five.medianMs());
        Noise six = Noise.of(new double[]{1, 2, 3, 4, 5, 6}, 0.95);
        assertEquals(1.0, six.ciLowMs());
        assertEquals(6.0, six.ciHighMs());
        // a larger sample: the textbook rank for n = 100 at 95% is 40 (x(40), x(61))
        assertEquals(40, Noise.orderStatistic(100, 0.95));
    }

    @Test
    void oneSampleHasAMedianAndNothingElse() {
        Noise one = Noise.of(new double[]{2.5}, 0.95);
        assertEquals(2.5, one.medianMs());
        assertNull(one.cv());
        assertNull(one.ciLowMs());
        assertThrows(IllegalArgumentException.class, () -> Noise.of(new double[0], 0.95));
        assertThrows(IllegalArgumentException.class, () -> Noise.of(new double[]{1}, 95));
    }
}

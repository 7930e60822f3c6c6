package dev.tokenmill.jmh;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HistogramResultTest {
    private static Histogram calls(long ns, int count) {
        Histogram h = new Histogram(3);
        h.recordValueWithCount(ns, count);
        return h;
    }

    @Test
    void iterationsMergeIntoOneDistributionRatherThanAnAverageOfPercentiles() {
        // 98 fast calls in one iteration, 2 slow ones in the other: the p99 of all calls is slow;
        // averaging the two iterations' p99s would say 5.5 ms, which no call took.
        var fast = HistogramResult.latency("lat.p99", calls(1_000_000, 98), 99);
        var slow = HistogramResult.latency("lat.p99", calls(10_000_000, 2), 99);
        var merged = fast.getIterationAggregator().aggregate(List.of(fast, slow));
        assertEquals(10.0, merged.getScore(), 0.01);
        assertEquals("ms", merged.getScoreUnit());
    }

    @Test
    void ratesDivideTheWorkPerCallByTheMedianCall() {
        var gflops = HistogramResult.rate("gflops", "GFLOP/s", calls(2_000_000, 10), 4.0);   // 4 GFLOP in 2 ms
        assertEquals(2000, gflops.getScore(), 2);
        var merged = gflops.getIterationAggregator().aggregate(List.of(gflops,
                HistogramResult.rate("gflops", "GFLOP/s", calls(4_000_000, 30), 4.0)));
        assertEquals(1000, merged.getScore(), 1);
        assertEquals(40, HistogramResult.count("lat.n", calls(5, 40)).getScore());
    }
}

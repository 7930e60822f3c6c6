package dev.tokenmill.measure;

import dev.tokenmill.backend.PreparedOp;
import dev.tokenmill.op.CopySpec;
import dev.tokenmill.op.OpSpec;
import dev.tokenmill.reference.Verification;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TimerTest {
    /** An op that reports {@code slow} seconds per call for its first {@code slowCalls} calls, then {@code fast}. */
    private static class Settling implements PreparedOp {
        final int slowCalls;
        final double slow, fast;
        int calls;

        Settling(int slowCalls, double slow, double fast) {
            this.slowCalls = slowCalls;
            this.slow = slow;
            this.fast = fast;
        }

        @Override public OpSpec spec() { return new CopySpec(1024); }
        @Override public String variant() { return "test.settling"; }
        @Override public int sets() { return 1; }
        @Override public Verification verify() { return new Verification(true, 0, 0, 0, ""); }
        @Override public void run() { calls++; }
        @Override public double secondsPerCall(int n) {
            double s = calls < slowCalls ? slow : fast;
            calls += n;
            return s;
        }
        @Override public void close() {}
    }

    /** Slow calls and a busy JIT until {@code settle} seconds have passed, then fast calls and a quiet JIT. */
    private static final class Compiling extends Settling {
        final long settleAt;

        Compiling(double settle) {
            super(0, 2e-3, 1e-3);
            settleAt = System.nanoTime() + (long) (settle * 1e9);
        }

        boolean settled() { return System.nanoTime() >= settleAt; }

        @Override public double secondsPerCall(int n) {
            calls += n;
            return settled() ? fast : slow;
        }

        long compileMillis() { return settled() ? 1 : calls; }
    }

    @Test
    void warmsUpPastItsSetTimeWhileTheJitIsStillCompiling() {
        // the slow calls are as steady as the fast ones: only the JIT's activity says the op is not warm yet
        Compiling op = new Compiling(0.15);
        LatencyStats stats = new Timer(0.05, 0, 10, 10, op::compileMillis).time(op);
        assertEquals(1.0, stats.p50Ms(), 0.01);
    }

    @Test
    void warmUpEndsAtFourTimesItsSetTimeWhenTheJitNeverSettles() {
        Compiling op = new Compiling(1e6); // never, as far as the test goes
        long t0 = System.nanoTime();
        new Timer(0.02, 0, 1, 1, op::compileMillis).warmUp(op);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(seconds >= 0.08 && seconds < 1.0, "warm-up took " + seconds + " s");
    }

    @Test
    void warmUpAlsoWaitsForTwoWindowsToAgree() {
        // instant calls: a window is 64 of them, alternately 1 ms and 2 ms, with a quiet JIT: never steady
        Settling op = new Settling(0, 1e-3, 1e-3) {
            @Override public double secondsPerCall(int n) {
                double s = (calls / 64) % 2 == 0 ? 1e-3 : 2e-3;
                calls += n;
                return s;
            }
        };
        long t0 = System.nanoTime();
        new Timer(0.02, 0, 1, 1, () -> 0).warmUp(op);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(seconds >= 0.08 && seconds < 1.0, "warm-up took " + seconds + " s");
    }

    @Test
    void aWarmUpCutOffByItsCapWhileTheJitCompilesIsNotSteady() {
        Compiling op = new Compiling(1e6);
        LatencyStats stats = new Timer(0.02, 0, 10, 10, op::compileMillis).time(op);
        assertFalse(stats.steady());
        assertEquals(List.of("the warm-up reached its cap (4 x 0.02 s) with the JIT still compiling"), stats.unsteady());
    }

    @Test
    void windowsThatNeverAgreeAreNotSteady() {
        Settling op = new Settling(0, 1e-3, 1e-3) {
            @Override public double secondsPerCall(int n) {
                double s = (calls / 64) % 2 == 0 ? 1e-3 : 2e-3;
                calls += n;
                return s;
            }
        };
        LatencyStats stats = new Timer(0.02, 0, 10, 10, () -> 0).time(op);
        assertTrue(stats.unsteady().getFirst().matches(
                "the warm-up reached its cap \\(4 x 0\\.02 s\\) before two windows agreed \\(the last two differ by (50|100)%\\)"),
                stats.unsteady().toString());
    }

    @Test
    void aQuietJitAgreeingWindowsEnoughSamplesAndANarrowSpreadAreSteady() {
        LatencyStats stats = new Timer(0.02, 0, 10, 100, () -> 0).time(new Settling(0, 1e-3, 1e-3));
        assertTrue(stats.steady(), stats.unsteady().toString());
    }

    @Test
    void fewSamplesAWideSpreadAndNoWarmUpAreEachSaid() {
        assertEquals(List.of("only 3 samples (fewer than 10)"),
                new Timer(0.02, 0, 3, 3, () -> 0).time(new Settling(0, 1e-3, 1e-3)).unsteady());
        // every other sample 5 ms instead of 1 ms: the p90 is five times the median
        Settling bimodal = new Settling(0, 1e-3, 1e-3) {
            @Override public double secondsPerCall(int n) {
                calls += n;
                return calls % 2 == 0 ? 5e-3 : 1e-3;
            }
        };
        assertEquals(List.of("a wide spread: the p90 is 5.00 times the median"),
                new Timer(0.02, 0, 100, 100, () -> 0).time(bimodal).unsteady());
        assertEquals(List.of("no warm-up: the timed calls include the first ones"),
                new Timer(0, 0, 10, 10, () -> 0).time(new Settling(0, 1e-3, 1e-3)).unsteady());
    }

    @Test
    void samplesSayHowManyCallsTheDeviceTimedTogether() {
        // a GPU-like op: 2 us calls, timed in whole replays of 64; the Timer's batch of 25 calls becomes one replay
        Settling op = new Settling(0, 2e-6, 2e-6) {
            @Override public int timedCalls(int n) { return (n + 63) / 64 * 64; }
        };
        LatencyStats stats = new Timer(0, 0, 3, 3).time(op);
        assertEquals(3, stats.samples());
        assertEquals(64, stats.callsPerSample());
    }

    @Test
    void noWarmUpMeansOneProbeCall() {
        Settling op = new Settling(0, 1e-3, 1e-3);
        new Timer(0, 0, 1, 1).warmUp(op);
        assertEquals(1, op.calls);
    }
}

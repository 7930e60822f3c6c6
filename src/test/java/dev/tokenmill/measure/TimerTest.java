package dev.tokenmill.measure;

import dev.tokenmill.backend.PreparedOp;
import dev.tokenmill.op.CopySpec;
import dev.tokenmill.op.OpSpec;
import dev.tokenmill.reference.Verification;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

    @Test
    void warmsUpPastItsSetTimeUntilTheOpIsSteady() {
        // the op settles after 2000 calls, far more than the 10 ms warm-up would make
        Settling op = new Settling(2000, 2e-3, 1e-3);
        LatencyStats stats = new Timer(0.01, 0, 10, 10).time(op);
        assertTrue(op.calls > 2000, "warm-up stopped after " + op.calls + " calls");
        assertEquals(1.0, stats.p50Ms(), 0.01);
    }

    @Test
    void warmUpEndsAtTenTimesItsSetTimeWhenTheOpNeverSettles() {
        Settling op = new Settling(Integer.MAX_VALUE, 2e-3, 1e-3) {
            @Override public double secondsPerCall(int n) { // instant calls: a window is 64 of them, 1 ms then 2 ms
                double s = (calls / 64) % 2 == 0 ? 1e-3 : 2e-3;
                calls += n;
                return s;
            }
        };
        long t0 = System.nanoTime();
        new Timer(0.02, 0, 1, 1).warmUp(op);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(seconds >= 0.2 && seconds < 1.0, "warm-up took " + seconds + " s");
    }

    @Test
    void noWarmUpMeansOneProbeCall() {
        Settling op = new Settling(0, 1e-3, 1e-3);
        new Timer(0, 0, 1, 1).warmUp(op);
        assertEquals(1, op.calls);
    }
}

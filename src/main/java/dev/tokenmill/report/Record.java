package dev.tokenmill.report;

import dev.tokenmill.measure.Workloads;
import dev.tokenmill.op.OpSpec;

import java.util.Map;

/**
 * One measured op in a result file: what ran (suite, op, shape, dtype, model, projection, kernel variant, the
 * JMH parameters), its FLOP and byte model, its times and the figures derived from them.
 * <p>
 * Figures ({@code tflops}, {@code gbs}, {@code fraction_of_ceiling}) use the median per-call device time when
 * the JMH run carried tokenmill's profiler ({@code timing = "device_p50"}), else JMH's mean wall time per call
 * ({@code "wall_mean"}). Energy (energy_j, power_w, clocks during the trial) belongs here as further nullable
 * fields: readers ignore fields they do not know, so adding them keeps schema tokenmill/1.
 */
public record Record(String suite, String op, String benchmark, String model, String projection, String variant,
                     String dtype, Map<String, Object> shape, double flops, long bytes, Double arithmeticIntensity,
                     Time time, String timing, Double tflops, Double gbs, Double fractionOfCeiling,
                     Double fractionOfDatasheet, Verified verified, Map<String, String> params) {

    /** JMH's mean wall time per call (with its 99.9% error) and the per-call device-time percentiles. */
    public record Time(double wallMeanMs, Double wallErrorMs, Double p50Ms, Double p99Ms, Double p999Ms, Long n) {}

    /** The largest relative error the pre-timing verification saw. */
    public record Verified(Double maxRelErr) {}

    /** The seconds per call the figures derive from. */
    public double figureSeconds() {
        return (time.p50Ms() != null ? time.p50Ms() : time.wallMeanMs()) / 1e3;
    }

    /** The op this record measured, rebuilt from its benchmark and parameters (e.g. to look it up by spec). */
    public OpSpec spec() { return Workloads.of(benchmark, params); }

    /** op and, for linear, which projection: {@code linear.qkv}, {@code decode}, ... */
    public String label() { return projection == null ? op : op + "." + projection; }
}

package dev.tokenmill.report;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tokenmill.op.Workloads;
import dev.tokenmill.op.OpSpec;
import org.HdrHistogram.Histogram;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;

/**
 * One measured op in a result file: what ran (suite, op, shape, dtype, model, projection, kernel variant, the
 * JMH parameters), its FLOP and byte model, its times and the figures derived from them.
 * <p>
 * Figures ({@code tflops}, {@code gbs}, {@code fraction_of_ceiling}) use the median per-call time when the JMH run
 * carried tokenmill's profiler, and {@code timing} says what timed the calls: {@code "wall_clock_p50"} (the host's
 * clock, the CPU backend) or {@code "device_events_p50"} (CUDA events); else JMH's mean wall time per call
 * ({@code "wall_mean"}). Files written before the distinction say {@code "device_p50"} for both. {@code energy} holds the GPU's energy and clocks over the trial; it is null when the run
 * read no energy counter (the result file's run-level {@code energy} section says why, once). Readers ignore
 * fields they do not know, so additions like it keep the schema.
 * <p>
 * {@code samples} and {@code noise} (schema tokenmill/2) are what a comparison needs to tell a change from noise:
 * the per-iteration times the figure's time is the median of, and how widely they spread. Both are null in
 * tokenmill/1 files, which {@code compare} still reads but cannot test.
 */
public record Record(String suite, String op, String benchmark, String model, String projection, String variant,
                     String dtype, Map<String, Object> shape, double flops, long bytes, Double arithmeticIntensity,
                     Time time, String timing, Double tflops, Double gbs, Double fractionOfCeiling,
                     Double fractionOfDatasheet, Verified verified, Map<String, String> params, Energy energy,
                     Samples samples, Noise noise) {

    /** A record without samples, as tokenmill/1 wrote them. */
    public Record(String suite, String op, String benchmark, String model, String projection, String variant,
                  String dtype, Map<String, Object> shape, double flops, long bytes, Double arithmeticIntensity,
                  Time time, String timing, Double tflops, Double gbs, Double fractionOfCeiling,
                  Double fractionOfDatasheet, Verified verified, Map<String, String> params, Energy energy) {
        this(suite, op, benchmark, model, projection, variant, dtype, shape, flops, bytes, arithmeticIntensity, time,
                timing, tflops, gbs, fractionOfCeiling, fractionOfDatasheet, verified, params, energy, null, null);
    }

    /**
     * The samples behind a record's time.
     *
     * @param basis          what one iteration sample is, the same basis as the record's {@code timing}:
     *                       {@code device_events_p50} or {@code wall_clock_p50}, the median time per call of one JMH
     *                       measurement iteration by that clock (from tokenmill's profiler; files before
     *                       issue 13 say {@code device_p50}), or {@code wall_mean}, JMH's own score
     * @param iterationsMs   one list per fork, one sample per measurement iteration, in ms per call: JMH's iteration
     *                       scores across forks
     * @param callsHistogram every timed sample's time per call in ns (a call; on a GPU the mean of a graph replay), all
     *                       iterations and forks merged, in HdrHistogram's
     *                       compressed encoding as base64 (the form of HdrHistogram's log files); null without
     *                       tokenmill's profiler
     */
    public record Samples(String basis, List<List<Double>> iterationsMs, String callsHistogram) {
        /** Every iteration sample, forks one after the other. */
        public double[] all() {
            return iterationsMs.stream().flatMap(List::stream).mapToDouble(Double::doubleValue).toArray();
        }

        /** The per-call histogram, decoded; null when there is none. */
        public Histogram calls() {
            if (callsHistogram == null) return null;
            try {
                return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(callsHistogram)), 0);
            } catch (DataFormatException | IllegalArgumentException e) {
                throw new IllegalArgumentException("the calls histogram is not HdrHistogram's compressed encoding: " + e.getMessage(), e);
            }
        }

        /** {@code h} as {@link #callsHistogram} stores it. */
        public static String encode(Histogram h) {
            ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
            int length = h.encodeIntoCompressedByteBuffer(buffer);
            return Base64.getEncoder().encodeToString(Arrays.copyOf(buffer.array(), length));
        }
    }

    /**
     * JMH's mean wall time per call (with its 99.9% error) and percentiles of the device-time samples. Each sample
     * is the mean time per call over {@code callsPerSample} calls timed together (on a GPU: one replay of a CUDA
     * graph of that many calls; on the CPU: one call), so the percentiles are of per-sample means, and {@code n}
     * counts samples. {@code callsPerSample} is null in files written before it was recorded (then 1 call).
     */
    public record Time(double wallMeanMs, Double wallErrorMs, Double p50Ms, Double p99Ms, Double p999Ms, Long n,
                       Long callsPerSample) {
        /** Seconds per call that the figures come from: the median device time where measured, else JMH's mean. */
        public double figureSeconds() { return (p50Ms != null ? p50Ms : wallMeanMs) / 1e3; }
    }

    /** The largest relative error the pre-timing verification saw. */
    public record Verified(Double maxRelErr) {}

    /**
     * The GPU over one window spanning all the trial's measurement iterations (iterations are shorter than the
     * 2 s an energy figure needs). A figure that could not be had is null and its reason says why; never zero.
     *
     * @param energyJ            energy per call: the average board power over the window (from the energy counter)
     *                           times the median device seconds per call. Not the window's joules over its timed
     *                           calls: a GPU backend runs untimed filler calls beside the timed ones to keep the
     *                           device busy. The average includes the short host gaps between calls, so this
     *                           errs low rather than high
     * @param energyAboveIdleJ   the same with the run's idle power taken off the average
     * @param powerW             average board power over the window
     * @param throttleReasons    every clocks-event reason the driver gave during the window ({@code gpu_idle}: the
     *                           GPU waited between calls); empty when it gave none
     * @param clockBelow75pct    whether the SM clock fell below 75% of the device's reference clock (nvbench's flag)
     * @param energyAbsentReason why there is no energy figure although the counter was read
     * @param clocksAbsentReason why there are no clocks
     */
    public record Energy(Double energyJ, Double energyAboveIdleJ, Double powerW, Double windowS, Integer smClockMinMhz,
                         Integer smClockMedianMhz, Integer smClockMaxMhz, List<String> throttleReasons,
                         @JsonProperty("clock_below_75pct") Boolean clockBelow75pct, String energyAbsentReason,
                         String clocksAbsentReason) {}

    /** The seconds per call the figures derive from. */
    public double figureSeconds() { return time.figureSeconds(); }

    /** The op this record measured, rebuilt from its benchmark and parameters (e.g. to look it up by spec). */
    public OpSpec spec() { return Workloads.of(benchmark, params); }

    /** op and, for linear, which projection: {@code linear.qkv}, {@code decode}, ... */
    public String label() { return projection == null ? op : op + "." + projection; }
}

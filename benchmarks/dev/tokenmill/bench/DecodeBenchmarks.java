package dev.tokenmill.bench;

import dev.tokenmill.jmh.ForkFlags;
import dev.tokenmill.jmh.Trial;
import dev.tokenmill.op.DType;
import dev.tokenmill.op.Workloads;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Decode, the bandwidth-bound phase: one layer's projections at M = batch (one new token per sequence), decode
 * attention over a KV cache (paged with blocks of 16, or contiguous), and the KV append. Operands rotate among
 * sets larger than the device's caches (WorkingSet), so GB/s figures are memory figures. Combinations whose
 * operands do not fit the device are skipped with the reason.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkFlags.VECTOR, ForkFlags.NATIVE, ForkFlags.UNSAFE})
public class DecodeBenchmarks {

    /** A projection of one layer for {@code batch} sequences' next token: a GEMV or skinny GEMM. */
    @State(Scope.Thread)
    public static class Linear extends TrialState {
        @Param({"qkv", "o", "gate_up", "down"}) public String projection;
        @Param({"1", "8", "32", "128"}) public int batch;

        @Setup(Level.Trial) public void setUp() {
            trial = Trial.coldCaches(backend, () -> Workloads.decodeLinear(model, projection, batch, DType.parse(dtype)));
        }
    }

    /** One query token per sequence over {@code length} cached tokens. */
    @State(Scope.Thread)
    public static class Attention extends TrialState {
        @Param({"1", "8", "32", "128"}) public int batch;
        @Param({"1024", "8192", "32768", "131072"}) public int length;
        @Param({"paged", "contiguous"}) public String layout;

        @Setup(Level.Trial) public void setUp() {
            trial = Trial.coldCaches(backend, () -> Workloads.decodeAttention(model, batch, length, layout, DType.parse(dtype)));
        }
    }

    /**
     * Writing each sequence's new k and v at position {@code length} of its cache. One operand set: a call touches
     * only {@code B·Hkv·D} elements, and rotating whole caches to keep those few lines cold would take thousands of
     * caches; this figure is a latency, not a bandwidth.
     */
    @State(Scope.Thread)
    public static class Append extends TrialState {
        @Param({"1", "8", "32", "128"}) public int batch;
        @Param({"1024", "8192", "32768", "131072"}) public int length;
        @Param({"paged", "contiguous"}) public String layout;

        @Setup(Level.Trial) public void setUp() {
            trial = Trial.oneSet(backend, () -> Workloads.append(model, batch, length, layout, DType.parse(dtype)));
        }
    }

    @Benchmark public void linear(Linear s) { s.trial.call(); }

    @Benchmark public void attention(Attention s) { s.trial.call(); }

    @Benchmark public void append(Append s) { s.trial.call(); }
}

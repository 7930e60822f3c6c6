package dev.tokenmill.bench;

import dev.tokenmill.jmh.FiguresProfiler;
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
 * Prefill, the compute-bound phase: one layer's projections at M = prompt tokens and its causal attention over
 * the prompt, for a model preset. Each trial verifies its kernel before timing it; see {@link FiguresProfiler}
 * for the secondary figures ({@code -prof dev.tokenmill.jmh.FiguresProfiler}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkFlags.VECTOR, ForkFlags.NATIVE, ForkFlags.UNSAFE})
public class PrefillBenchmarks {

    /** A projection of one layer ({@code Y = X·Wᵀ}) over {@code batch × length} prompt tokens. */
    @State(Scope.Thread)
    public static class Linear extends TrialState {
        @Param({"qkv", "o", "gate_up", "down"}) public String projection;
        @Param({"1"}) public int batch;
        @Param({"512", "2048", "8192"}) public int length;

        @Setup(Level.Trial) public void setUp() {
            trial = Trial.oneSet(backend, () -> Workloads.prefillLinear(model, projection, batch, length, DType.parse(dtype)));
        }
    }

    /** One layer's causal self-attention over prompts of {@code length} tokens. */
    @State(Scope.Thread)
    public static class Attention extends TrialState {
        @Param({"1"}) public int batch;
        @Param({"512", "2048", "8192"}) public int length;

        @Setup(Level.Trial) public void setUp() {
            trial = Trial.oneSet(backend, () -> Workloads.prefillAttention(model, batch, length, DType.parse(dtype)));
        }
    }

    @Benchmark public void linear(Linear s) { s.trial.call(); }

    @Benchmark public void attention(Attention s) { s.trial.call(); }
}

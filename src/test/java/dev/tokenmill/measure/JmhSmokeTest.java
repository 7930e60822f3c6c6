package dev.tokenmill.measure;

import dev.tokenmill.jmh.ForkFlags;
import dev.tokenmill.report.Ceilings;
import dev.tokenmill.op.Workloads;
import dev.tokenmill.energy.EnergyBaseline;
import dev.tokenmill.jmh.FiguresProfiler;
import dev.tokenmill.op.DType;
import dev.tokenmill.report.JmhRecords;
import dev.tokenmill.testing.FakeBackend;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One tiny suite benchmark through JMH's Runner, on the fake device whose speed is known. */
class JmhSmokeTest {
    private static final String[] FLAGS = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow"};

    @Test
    void aForkedTrialReportsTokenmillsFiguresAsSecondaryResults() throws Exception {
        var spec = Workloads.prefillAttention("llama-3.2-1b", 1, 512, DType.F32);
        Ceilings ceilings = new Ceilings("fake", FakeBackend.GBS, Map.of("f32", FakeBackend.TFLOPS), Map.of("f32", "fake.probe.fma"), Map.of(), null);
        var options = new OptionsBuilder().include("PrefillBenchmarks\\.attention")
                .param("backend", "fake").param("model", "llama-3.2-1b").param("dtype", "f32").param("length", "512")
                .addProfiler(FiguresProfiler.class)
                .forks(1).warmupIterations(0).measurementIterations(1).measurementTime(TimeValue.milliseconds(300))
                .jvmArgsAppend(FLAGS[0], FLAGS[1], FLAGS[2], "-D" + Ceilings.PROPERTY + "=" + ceilings.toProperty())
                .verbosity(VerboseMode.SILENT).build();
        Collection<RunResult> results = new Runner(options).run();

        assertEquals(1, results.size());
        Map<String, Result> sec = results.iterator().next().getAggregatedResult().getSecondaryResults();
        double expectedMs = FakeBackend.seconds(spec) * 1e3;
        double p50 = sec.get("lat.p50").getScore();
        assertTrue(p50 >= expectedMs && p50 < expectedMs * 1.5, "p50 " + p50 + " ms vs the fake's " + expectedMs);
        assertTrue(sec.get("lat.p99").getScore() >= p50 && sec.get("lat.p999").getScore() >= sec.get("lat.p99").getScore());
        assertTrue(sec.get("lat.n").getScore() > 10, "samples " + sec.get("lat.n").getScore());
        assertEquals(1, sec.get(JmhRecords.CALLS_PER_SAMPLE).getScore(), "a device that times single calls");
        assertEquals(spec.flops() / 1e9 / (p50 / 1e3), sec.get("gflops").getScore(), 1e-6 * sec.get("gflops").getScore());
        double fraction = sec.get("ceiling.fraction").getScore();
        assertTrue(fraction > 0.6 && fraction <= 1.0, "the fake runs at its own ceiling, got " + fraction);
        assertEquals(1e-6, sec.get("verify.max_rel_err").getScore());
        assertTrue(sec.containsKey(JmhRecords.VARIANT + "fake.roofline"), sec.keySet().toString());
    }

    @Test
    void aForkHandedAGpuToReadSaysWhyItReadNoEnergy() throws Exception {
        // This machine has no NVML: the fork's sampler is unavailable, and its reason reaches the results.
        var options = new OptionsBuilder().include("DecodeBenchmarks\\.linear")
                .param("backend", "fake").param("model", "llama-3.2-1b").param("dtype", "bf16")
                .param("batch", "1").param("projection", "o")
                .addProfiler(FiguresProfiler.class)
                .forks(1).warmupIterations(0).measurementIterations(2).measurementTime(TimeValue.milliseconds(100))
                .jvmArgsAppend(FLAGS[0], FLAGS[1], FLAGS[2],
                        "-D" + EnergyBaseline.PROPERTY + "=" + new EnergyBaseline("0000:65:00.0", 60.0).toProperty())
                .verbosity(VerboseMode.SILENT).build();
        Collection<RunResult> results = new Runner(options).run();
        var labels = results.iterator().next().getAggregatedResult().getSecondaryResults().keySet();
        assertTrue(labels.stream().anyMatch(l -> l.startsWith(JmhRecords.ENERGY_ABSENT + "NVML unavailable: ")), labels.toString());
        assertTrue(labels.stream().anyMatch(l -> l.startsWith(JmhRecords.CLOCKS_ABSENT + "NVML unavailable: ")), labels.toString());
        assertTrue(labels.contains("lat.p50"), "the trial's own figures are there as before");
    }

    @Test
    void unavailableAndWrongBackendsAreSkippedWithAOneLineReason() throws Exception {
        StringWriter text = new StringWriter();
        JmhProgress progress = new JmhProgress(new PrintWriter(text, true));
        var options = new OptionsBuilder().include("DecodeBenchmarks\\.linear")
                .param("backend", "fake-offline", "fake-wrong").param("model", "llama-3.2-1b").param("dtype", "f16")
                .param("batch", "1").param("projection", "o")
                .forks(0).warmupIterations(0).measurementIterations(1).measurementTime(TimeValue.milliseconds(50))
                .shouldFailOnError(false).build();
        Collection<RunResult> results = new Runner(options, progress).run();

        assertTrue(results.isEmpty());
        List<String> reasons = progress.skipped().stream().map(s -> s.reason()).toList();
        assertEquals(List.of("the fake-offline backend does not work here: the fake device is switched off",
                "verification failed, not timed: linear m=1 n=2048 k=2048 f16 on fake-wrong.roofline: FAILED "
                        + "(max_rel_err 0.500, tolerance 0.01, 100 elements checked; worst element 7 = 1.5, expected 1.0)"),
                reasons);
        assertEquals("DecodeBenchmarks.linear", progress.skipped().get(0).benchmark());
        assertEquals("fake-offline", progress.skipped().get(0).params().get("backend"));
        assertTrue(!text.toString().contains("\tat "), "no stack trace in the progress:\n" + text);
    }

    @Test
    void aBenchmarkVmThatDiesIsASkipWithItsExitCode() throws Exception {
        JmhProgress progress = new JmhProgress(new PrintWriter(new StringWriter(), true));
        var options = new OptionsBuilder().include("DecodeBenchmarks\\.linear")
                .param("backend", "fake-crashing").param("model", "llama-3.2-1b").param("dtype", "f16")
                .param("batch", "1").param("projection", "o")
                .forks(1).warmupIterations(0).measurementIterations(1).measurementTime(TimeValue.milliseconds(50))
                .jvmArgsAppend(ForkFlags.ALL.toArray(String[]::new))
                .shouldFailOnError(false).build();
        assertTrue(new Runner(options, progress).run().isEmpty());
        assertEquals(1, progress.skipped().size(), "a crashed trial is listed, not dropped");
        assertEquals("the benchmark VM died: forked VM failed with exit code 137", progress.skipped().get(0).reason());
    }

    @Test
    void anInvalidParameterIsSkippedNamingTheAllowedValues() throws Exception {
        JmhProgress progress = new JmhProgress(new PrintWriter(new StringWriter(), true));
        var options = new OptionsBuilder().include("PrefillBenchmarks\\.attention")
                .param("backend", "fake").param("model", "llama-3.2-1b").param("dtype", "fp8").param("length", "512")
                .forks(0).warmupIterations(0).measurementIterations(1).measurementTime(TimeValue.milliseconds(50))
                .shouldFailOnError(false).build();
        assertTrue(new Runner(options, progress).run().isEmpty());
        assertEquals("invalid parameter: dtype must be one of f32, f16, bf16, got 'fp8'", progress.skipped().get(0).reason());
    }
}

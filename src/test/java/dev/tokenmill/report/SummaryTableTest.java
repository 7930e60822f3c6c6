package dev.tokenmill.report;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SummaryTableTest {
    static Record record(String suite, String op, String projection, Map<String, Object> shape, Double tflops, double gbs,
                         Double fraction, double p50Ms, double p99Ms) {
        return new Record(suite, op, "X." + op, "llama-3.1-8b", projection, "v", "bf16", shape, 1, 1, null,
                new Record.Time(p50Ms, null, p50Ms, p99Ms, p99Ms, 10L, 1L), "device_p50", tflops, gbs, fraction, null,
                new Record.Verified(0.001), Map.of(), null);
    }

    @Test
    void prefillReadsInFlopsDecodeInBytesWithCeilingShareAndLatency() {
        List<Record> records = List.of(
                record("prefill", "linear", "qkv", Map.of("m", 512, "n", 6144, "k", 4096), 1.2345, 50, 0.617, 9.87, 10.5),
                record("prefill", "prefill", null, Map.of("batch", 1, "seq", 2048), 0.0456, 3, null, 1234.5, 1300),
                record("decode", "decode", null, Map.of("batch", 8, "context", 8192, "layout", "paged"), 0.5, 812.4, 0.9, 0.0123, 0.04),
                record("decode", "append", null, Map.of("batch", 1, "context", 1024, "layout", "contiguous"), null, 1234, null, 0.00008, 0.0001));
        assertEquals("""
                suite    op          shape                    dtype        figure  of probes      p50      p99
                -------  ----------  -----------------------  -----  ------------  ---------  -------  -------
                prefill  linear.qkv  m=512 n=6144 k=4096      bf16   1.23 TFLOP/s      61.7%  9.87 ms  10.5 ms
                prefill  prefill     b=1 s=2048               bf16   45.6 GFLOP/s          -   1.23 s   1.30 s
                decode   decode      b=8 ctx=8192 paged       bf16       812 GB/s      90.0%  12.3 µs  40.0 µs
                decode   append      b=1 ctx=1024 contiguous  bf16      1.23 TB/s          -  80.0 ns   100 ns
                """, SummaryTable.render(records, null));
    }

    @Test
    void withEnergyThePowerAndEnergyPerCallAreShownAndASlowClockMarked() {
        Record qkv = record("prefill", "linear", "qkv", Map.of("m", 512, "n", 6144, "k", 4096), 1.2345, 50, 0.617, 9.87, 10.5);
        Record o = record("prefill", "linear", "o", Map.of("m", 512, "n", 4096, "k", 4096), 1.2, 50, 0.6, 5.0, 6.0);
        Record plain = record("decode", "append", null, Map.of("batch", 1, "context", 1024, "layout", "contiguous"), null, 1234, null, 0.00008, 0.0001);
        List<Record> records = List.of(
                ResultFilesTest.withEnergy(qkv, new Record.Energy(0.00432, null, 437.6, 5.0, 1400, 1700, 1755, List.of(), true, null, null)),
                ResultFilesTest.withEnergy(o, new Record.Energy(null, null, null, 1.0, 1755, 1755, 1755, List.of(), false, "too short", null)),
                plain);
        String text = SummaryTable.render(records, null);
        assertEquals(List.of("prefill  linear.qkv  m=512 n=6144 k=4096      bf16   1.23 TFLOP/s      61.7%  9.87 ms  10.5 ms  438 W*      4.32 mJ",
                "prefill  linear.o    m=512 n=4096 k=4096      bf16   1.20 TFLOP/s      60.0%  5.00 ms  6.00 ms       -            -",
                "decode   append      b=1 ctx=1024 contiguous  bf16      1.23 TB/s          -  80.0 ns   100 ns       -            -",
                "* the SM clock fell below 75% of the device's reference clock during the trial"),
                text.lines().skip(2).toList());
        assertEquals("1.50 J", SummaryTable.joules(1.5));
        assertEquals("820 µJ", SummaryTable.joules(0.00082));
    }

    @Test
    void aLegendSaysWhatEachShareIsOfAndWhichProbeMeasuredEachPeak() {
        Record gemm = new Record("prefill", "linear", "X.linear", "llama-3.1-8b", "o", "v", "bf16", Map.of("m", 8192, "n", 8192, "k", 8192), 1, 1,
                null, new Record.Time(1, null, 1.0, 1.0, 1.0, 10L, 1L), "device_p50", 600.0, 50.0, 0.9, 0.6,
                new Record.Verified(0.001), Map.of(), null);
        Ceilings c = new Ceilings("cuda", 4000.0, Map.of("bf16", 660.0), Map.of("bf16", "cuda.probe.mma.bf16"), Map.of(),
                Datasheet.match("NVIDIA H200").orElseThrow());
        List<String> lines = SummaryTable.render(List.of(gemm), c).lines().toList();
        assertEquals("suite    op        shape                 dtype       figure  of probes  of datasheet      p50      p99",
                lines.get(0));
        assertEquals("prefill  linear.o  m=8192 n=8192 k=8192  bf16   600 TFLOP/s      90.0%         60.0%  1.00 ms  1.00 ms",
                lines.get(2));
        assertEquals("of probes: of the roofline this run measured with probes, not with the kernels above: copy 4.00 TB/s, "
                + "bf16 660 TFLOP/s (cuda.probe.mma.bf16)", lines.get(3));
        assertEquals("of datasheet: of the roofline of NVIDIA H200 SXM: 989 TFLOP/s bf16, 4.80 TB/s (dense, fp32 accumulation)",
                lines.get(4));
    }

    @Test
    void unitsScaleWithTheNumber() {
        assertEquals("45.6 GFLOP/s", Figures.flops(0.0456));
        assertEquals("989 TFLOP/s", Figures.flops(989));
        assertEquals("12.5 GB/s", Figures.bandwidth(12.5));
        assertEquals("3.35 TB/s", Figures.bandwidth(3350));
        assertEquals("-", Figures.time(null));
        assertEquals("123 µs", Figures.time(0.1234));
    }
}

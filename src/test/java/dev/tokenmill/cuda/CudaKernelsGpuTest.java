package dev.tokenmill.cuda;

import dev.tokenmill.backend.Availability;
import dev.tokenmill.backend.PrepareOptions;
import dev.tokenmill.backend.PreparedOp;
import dev.tokenmill.op.AppendSpec;
import dev.tokenmill.op.CopySpec;
import dev.tokenmill.op.DType;
import dev.tokenmill.op.DecodeSpec;
import dev.tokenmill.op.KvCache;
import dev.tokenmill.op.KvLayout;
import dev.tokenmill.op.LinearSpec;
import dev.tokenmill.op.OpSpec;
import dev.tokenmill.op.PrefillSpec;
import dev.tokenmill.reference.Verification;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every CUDA kernel against the float64 reference, on random shapes including awkward ones (M = 1, sizes off
 * every tile and vector width, ragged lengths, lengths 1 and block_size ± 1, GQA 1:1, 4:1, 8:1 and MQA), all
 * three dtypes. Skipped, with the reason, where no CUDA device works.
 */
@Tag("gpu")
class CudaKernelsGpuTest {
    private static final CudaBackend cuda = new CudaBackend();

    /** Surefire's console names skipped tests but not why; say it once where CI logs show it. */
    @BeforeAll
    static void sayWhyWhenSkipping() {
        Availability a = cuda.availability();
        if (!a.available()) System.err.println("GPU tests skipped: no working CUDA device: " + a.reason());
    }

    /** Per test rather than per class, so that each skipped test shows in the report with the reason. */
    @BeforeEach
    void needsAGpu() {
        Availability a = cuda.availability();
        assumeTrue(a.available(), "no working CUDA device: " + a.reason());
    }

    static Stream<Arguments> linear() {
        int[][] mnk = {{1, 1, 8}, {1, 4096, 4096}, {1, 64, 16384}, {2, 300, 520}, {3, 257, 1024}, {5, 33, 72},
                {64, 130, 264}, {65, 129, 136}, {130, 257, 72}, {7, 33, 13}, {100, 70, 30}, {256, 256, 256}};
        return withDtypes(mnk, (d, t) -> new LinearSpec(d[0], d[1], d[2], t));
    }

    static Stream<Arguments> prefill() {
        int[][] bshhd = {{1, 1, 4, 4, 64}, {2, 17, 8, 2, 128}, {1, 65, 8, 1, 64}, {1, 129, 32, 4, 128}, {1, 200, 4, 4, 64},
                {3, 63, 16, 2, 64}};
        return withDtypes(bshhd, (d, t) -> new PrefillSpec(d[0], d[1], d[2], d[3], d[4], t));
    }

    static Stream<Arguments> decode() {
        List<Arguments> out = new ArrayList<>();
        for (DType t : DType.values())
            for (KvLayout layout : KvLayout.values()) {
                int bs = layout == KvLayout.PAGED ? 16 : 0;
                out.add(Arguments.of(new DecodeSpec(8, new KvCache(4, 2, 128, new int[]{1, 15, 16, 17}, 17, layout, bs), t)));
                out.add(Arguments.of(new DecodeSpec(8, new KvCache(3, 8, 64, new int[]{300, 1, 77}, 300, layout, bs), t)));
                out.add(Arguments.of(new DecodeSpec(8, new KvCache(2, 1, 128, new int[]{5000, 4097}, 5000, layout, bs), t)));
                out.add(Arguments.of(DecodeSpec.uniform(1, 32, 4, 128, 2049, layout, bs, t)));
            }
        return out.stream();
    }

    static Stream<Arguments> append() {
        List<Arguments> out = new ArrayList<>();
        for (DType t : DType.values())
            for (KvLayout layout : KvLayout.values()) {
                int bs = layout == KvLayout.PAGED ? 16 : 0;
                out.add(Arguments.of(new AppendSpec(new KvCache(5, 2, 64, new int[]{0, 15, 16, 17, 40}, 41, layout, bs), t)));
                out.add(Arguments.of(AppendSpec.uniform(3, 8, 128, 1, layout, bs, t)));
            }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void linear(LinearSpec spec) { verify(spec); }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void prefill(PrefillSpec spec) { verify(spec); }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void decode(DecodeSpec spec) { verify(spec); }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void append(AppendSpec spec) { verify(spec); }

    @Test
    void copyIsExact() {
        verify(new CopySpec(16));
        verify(new CopySpec((1 << 20) + 16));
    }

    @Test
    void rotatingSetsStayCorrectAndAreTimedOnTheDevice() {
        OpSpec spec = DecodeSpec.uniform(2, 32, 8, 128, 1000, KvLayout.PAGED, 16, DType.BF16);
        try (PreparedOp op = cuda.prepare(spec, PrepareOptions.rotating(64L << 20))) {
            assertTrue(op.sets() > 1, "64 MiB of rotation needs several sets of " + spec.minBytes() + " bytes");
            for (int i = 0; i < 2 * op.sets(); i++) op.run();
            Verification v = op.verify();
            assertTrue(v.passed(), v.summary());
            for (int calls : new int[]{1, 3, 2 * op.sets() + 1}) {
                double s = op.secondsPerCall(calls);
                assertTrue(s > 0 && s < 0.1, calls + " calls: " + s + " s per call");
            }
        }
    }

    /**
     * A KV append of one token per sequence takes a few microseconds, less than a launch costs the host. Timed one
     * launch at a time it would read at the launch rate; timed by graph replays, one sample (what a JMH invocation
     * records) agrees with thousands of calls.
     */
    @Test
    void aShortKernelReadsTheSameInOneSampleAsInThousandsOfCalls() {
        OpSpec spec = AppendSpec.uniform(1, 8, 128, 1024, KvLayout.PAGED, 16, DType.BF16);
        try (PreparedOp op = cuda.prepare(spec, PrepareOptions.single())) {
            assertTrue(op.verify().passed());
            for (int i = 0; i < 50; i++) op.secondsPerCall(1);
            double[] samples = new double[21];
            for (int i = 0; i < samples.length; i++) samples[i] = op.secondsPerCall(1);
            Arrays.sort(samples);
            double one = samples[samples.length / 2], many = op.secondsPerCall(10_000);
            assertTrue(op.timedCalls(1) > 1, "a sample is a replay of many calls");
            assertEquals(many, one, 0.25 * many, "median sample " + one + " s per call, 10k calls " + many + " s per call");
        }
    }

    @Test
    void outOfMemoryNamesTheErrorAndTheRemedy() {
        try (NvidiaDriver driver = NvidiaDriver.open()) {
            var e = assertThrows(CudaException.class, () -> DeviceBuffer.allocate(driver, 1L << 50).close());
            assertTrue(e.getMessage().contains("CUDA_ERROR_OUT_OF_MEMORY") && e.getMessage().contains("too little free memory"),
                    e.getMessage());
        }
    }

    @Test
    void brokenPtxSurfacesTheJitLog() {
        PtxSource bad = new PtxSource("broken", "sm_80", ".version 8.0\n.target sm_80\n.address_size 64\n"
                + ".visible .entry k() { mov.u32 %r1, 1; ret; }\n");
        try (NvidiaDriver driver = NvidiaDriver.open()) {
            var e = assertThrows(CudaException.class, () -> KernelModule.load(driver, bad));
            assertTrue(e.getMessage().contains("CUDA_ERROR_INVALID_PTX") && e.getMessage().contains("JIT log"), e.getMessage());
        }
    }

    @Test
    void deviceDescribesItself() {
        var p = cuda.device().properties();
        for (String key : List.of("cc", "sms", "memory_bytes", "l2_bytes", "driver_cuda", "ptx_linear"))
            assertTrue(p.containsKey(key), key + " missing from " + p);
        assertEquals("cuda", cuda.device().backend());
    }

    private static void verify(OpSpec spec) {
        try (PreparedOp op = cuda.prepare(spec, PrepareOptions.single())) {
            Verification v = op.verify();
            assertTrue(v.passed(), op.variant() + " " + spec.shapeText() + " " + spec.dtype().id() + ": " + v.summary());
            op.run();
        }
    }

    /** Each shape in each dtype. */
    private static Stream<Arguments> withDtypes(int[][] shapes, BiFunction<int[], DType, OpSpec> spec) {
        return Stream.of(DType.values()).flatMap(t -> Stream.of(shapes).map(d -> Arguments.of(spec.apply(d, t))));
    }
}

package dev.tokenmill.cuda;

import dev.tokenmill.backend.EntryTally;
import dev.tokenmill.backend.PeakProbe;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every entry point of the packaged PTX, launched by the real launchers (the cuda backend's, over {@link EmuDriver})
 * on awkward shapes and verified against the float64 reference, clean of findings: tails of every tile, M = 1, K off
 * the 16-byte vector (the SIMT fallback), split-K, ragged and paged caches with lengths around block and chunk edges,
 * GQA 1, 4 and 8 and MQA, D 64 and 128, every dtype; and the compute-peak probes through {@code preparePeak}, exact.
 * {@link #everyPackagedEntryRanVerifiedAndClean()} lists the packaged entries and fails on one never executed.
 */
@Tag("emu")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmuKernelsTest {
    private static final EmuBackend EMU = new EmuBackend();
    /** Cases verified so far: the coverage test runs the rest when it runs alone. */
    private static final Set<String> DONE = ConcurrentHashMap.newKeySet();

    @AfterAll
    static void close() { EMU.close(); }

    static Stream<OpSpec> linear() {
        int[][] mnk = {
                {1, 1, 8}, {1, 70, 264}, {2, 300, 520}, {3, 257, 1024}, {5, 33, 72}, // gemv m1, m1, m2, m4, m8
                {1, 40, 8200}, {6, 12, 8200},  // gemv with K split (N gives fewer blocks than 2 per SM), then the reduce
                {64, 130, 264},                // the largest skinny M, N off the 4-row block
                {65, 129, 136}, {130, 257, 72}, {256, 256, 256}, // GEMM: tensor cores for 16-bit, tails past 128
                {7, 33, 13}, {100, 70, 30}};   // K off every vector width: SIMT with scalar loads
        return withDtypes(mnk, (d, t) -> new LinearSpec(d[0], d[1], d[2], t));
    }

    static Stream<OpSpec> prefill() {
        int[][] bshhd = {{1, 1, 4, 4, 64}, {2, 17, 8, 2, 128}, {1, 65, 8, 1, 64}, {1, 129, 32, 4, 128},
                {1, 200, 4, 4, 64}, {3, 63, 16, 2, 64}};
        return withDtypes(bshhd, (d, t) -> new PrefillSpec(d[0], d[1], d[2], d[3], d[4], t));
    }

    static Stream<OpSpec> decode() {
        List<OpSpec> out = new ArrayList<>();
        for (DType t : DType.values())
            for (KvLayout layout : KvLayout.values()) {
                int bs = layout == KvLayout.PAGED ? 16 : 0;
                // block size - 1, block size, block size + 1; GQA 4:1
                out.add(new DecodeSpec(8, new KvCache(4, 2, 128, new int[]{1, 15, 16, 17}, 17, layout, bs), t));
                // around the 64-token chunk's edges, MQA
                out.add(new DecodeSpec(8, new KvCache(5, 1, 64, new int[]{63, 64, 65, 128, 129}, 129, layout, bs), t));
                // MHA, ragged, one token
                out.add(new DecodeSpec(8, new KvCache(3, 8, 64, new int[]{300, 1, 77}, 300, layout, bs), t));
                // long sequences in 512-token chunks, MQA 8:1
                out.add(new DecodeSpec(8, new KvCache(2, 1, 128, new int[]{3000, 2049}, 3000, layout, bs), t));
                // GQA 8:1 at batch 1
                out.add(DecodeSpec.uniform(1, 32, 4, 128, 700, layout, bs, t));
            }
        return out.stream();
    }

    static Stream<OpSpec> append() {
        List<OpSpec> out = new ArrayList<>();
        for (DType t : DType.values())
            for (KvLayout layout : KvLayout.values()) {
                int bs = layout == KvLayout.PAGED ? 16 : 0;
                out.add(new AppendSpec(new KvCache(5, 2, 64, new int[]{0, 15, 16, 17, 40}, 41, layout, bs), t));
                out.add(AppendSpec.uniform(3, 8, 128, 1, layout, bs, t));
            }
        return out.stream();
    }

    /** One unit, a ragged tail past one block, and past the grid's 64-block cap so that the loop strides. */
    static Stream<OpSpec> copy() { return Stream.of(new CopySpec(16), new CopySpec(1040), new CopySpec((1 << 20) + 48)); }

    @Order(1)
    @ParameterizedTest(name = "{0}")
    @MethodSource
    void linear(OpSpec spec) { verify(spec); }

    @Order(2)
    @ParameterizedTest(name = "{0}")
    @MethodSource
    void prefill(OpSpec spec) { verify(spec); }

    @Order(3)
    @ParameterizedTest(name = "{0}")
    @MethodSource
    void decode(OpSpec spec) { verify(spec); }

    @Order(4)
    @ParameterizedTest(name = "{0}")
    @MethodSource
    void append(OpSpec spec) { verify(spec); }

    @Order(5)
    @ParameterizedTest(name = "{0}")
    @MethodSource
    void copy(OpSpec spec) { verify(spec); }

    @Order(6)
    @ParameterizedTest
    @EnumSource(DType.class)
    void peakProbeIsExact(DType dtype) {
        try (PeakProbe probe = EMU.preparePeak(dtype)) {
            Verification v = probe.verify();
            assertTrue(v.passed(), probe.variant() + ": " + v.summary());
        }
        DONE.add("peak " + dtype);
    }

    @Order(7)
    @Test
    void everyPackagedEntryRanVerifiedAndClean() {
        Stream.of(linear(), prefill(), decode(), append(), copy()).flatMap(s -> s)
                .filter(s -> !DONE.contains(key(s))).forEach(EmuKernelsTest::verify);
        for (DType t : DType.values()) if (!DONE.contains("peak " + t)) peakProbeIsExact(t);

        Set<String> packaged = new TreeSet<>();
        for (String family : CudaKernels.FAMILIES)
            PtxSource.find(family, EmuDriver.CC).orElseThrow().entries().forEach(e -> packaged.add(family + "/" + e));
        Set<String> tallied = new TreeSet<>(), never = new TreeSet<>(), unverified = new TreeSet<>();
        for (EntryTally e : EMU.entryTallies()) {
            String name = e.module() + "/" + e.entry();
            tallied.add(name);
            if (e.launches() == 0) never.add(name);
            else if (e.passedCases() == 0) unverified.add(name);
            assertEquals(0, e.findings(), name + " had findings");
            assertEquals(0, e.failedCases(), name + " failed verification");
        }
        assertEquals(packaged, tallied, "the table lists every packaged entry");
        assertEquals(Set.of(), never, "packaged entries no launcher executed");
        assertEquals(Set.of(), unverified, "entries launched only outside a verified call");
        assertEquals(42, packaged.size(), "a new entry point needs a launch here (and in verify's cases)");
    }

    private static void verify(OpSpec spec) {
        try (PreparedOp op = EMU.prepare(spec, PrepareOptions.single())) {
            Verification v = op.verify();
            assertTrue(v.passed(), op.variant() + " " + spec.shapeText() + " " + spec.dtype().id() + ": " + v.summary());
        }
        DONE.add(key(spec));
    }

    private static String key(OpSpec spec) { return spec.op() + " " + spec.dtype().id() + " " + spec.shapeText(); }

    /** Each shape in each dtype. */
    private static Stream<OpSpec> withDtypes(int[][] shapes, BiFunction<int[], DType, OpSpec> spec) {
        return Stream.of(DType.values()).flatMap(t -> Stream.of(shapes).map(d -> spec.apply(d, t)));
    }
}

package dev.tokenmill.cuda;

import dev.tokenmill.backend.PrepareOptions;
import dev.tokenmill.backend.PreparedOp;
import dev.tokenmill.op.DType;
import dev.tokenmill.op.DecodeSpec;
import dev.tokenmill.op.KvCache;
import dev.tokenmill.op.KvLayout;
import dev.tokenmill.op.LinearSpec;
import dev.tokenmill.op.OpSpec;
import dev.tokenmill.ptx.count.Counters;
import dev.tokenmill.ptx.exec.LaunchReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Facts of the shipped kernels as their launchers run them, counted by the emulator, that hold on every GPU and that an
 * edit must not lose (kernels/NOTES.md, "Emulator counters", lists them and where the kernels fall short): decode
 * reads each K/V byte once, the tensor-core linear's ldmatrix loads have no bank conflicts, gemv's loads are fully
 * coalesced and read W once.
 */
@Tag("emu")
class EmuCountersTest {
    private final EmuDriver driver = EmuDriver.open();
    private final CudaDevice device = new CudaDevice(driver);

    @AfterEach
    void close() { device.close(); }

    /** One call of {@code spec} through its launcher (a verified one: the outputs are right), and each launch's report. */
    private List<LaunchReport> launches(OpSpec spec) {
        try (PreparedOp op = CudaPreparedOp.prepare(device, spec, PrepareOptions.single())) {
            driver.takeRuns();
            op.run();
            List<LaunchReport> reports = driver.takeRuns().stream().map(KernelRun::report).toList();
            reports.forEach(r -> assertTrue(r.clean(), r::toString));
            assertTrue(op.verify().passed());
            return reports;
        }
    }

    /**
     * The split kernel's global loads are exactly: every K and V byte of the cached tokens once; each CTA that has
     * tokens, its group's G query rows; every thread, its sequence's length; and, paged, one block-table entry per
     * thread that addresses a row (4 per token for K, D/VEC for V). Nothing is read twice.
     */
    @ParameterizedTest
    @EnumSource(KvLayout.class)
    void decodeReadsEachKvByteOnce(KvLayout layout) {
        int[] lens = {500, 300};
        int heads = 8, kvHeads = 2, d = 128, g = heads / kvHeads;
        DecodeSpec spec = new DecodeSpec(heads, new KvCache(2, kvHeads, d, lens, 500, layout, layout == KvLayout.PAGED ? 16 : 0),
                DType.BF16);
        LaunchReport split = launches(spec).getFirst();
        assertEquals(DecodeLauncher.splitKernel(spec), split.kernel());
        int chunks = split.grid().x(), chunkLen = DecodeLauncher.chunkLen(spec, EmuDriver.SMS, Inspection.OCCUPANCY_SM.maxSharedPerCta());
        long tokens = Arrays.stream(lens).sum(), elementBytes = 2;
        long kv = 2 * tokens * kvHeads * d * elementBytes;
        long liveCtas = kvHeads * Arrays.stream(lens).mapToLong(l -> (l + chunkLen - 1) / chunkLen).sum();
        long q = liveCtas * g * d * elementBytes, seqLens = split.counters().threads * 4L;
        long table = layout == KvLayout.PAGED ? tokens * kvHeads * (4 + d / 8) * 4L : 0;
        Counters c = split.counters();
        assertEquals(kv + q + seqLens + table, c.globalLoadBytes, chunks + " chunks of " + chunkLen + ": " + c);
    }

    /** Every shared load of the tensor-core linear is an ldmatrix.x4 on swizzled tiles: one wavefront per 8x8 matrix. */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F16", "BF16"})
    void tensorCoreLinearLoadsSharedMemoryWithoutBankConflicts(DType t) {
        LaunchReport r = launches(new LinearSpec(256, 256, 256, t)).getFirst();
        assertEquals(LinearLauncher.kernel(new LinearSpec(256, 256, 256, t)), r.kernel());
        Counters c = r.counters();
        assertTrue(c.ldmatrixRequests > 0);
        assertEquals(c.ldmatrixRequests, c.sharedLoadRequests, "the main loop reads shared memory only through ldmatrix");
        assertEquals(4 * c.ldmatrixRequests, c.ldmatrixWavefronts, "4 matrices, 4 wavefronts: no bank conflict");
        assertEquals(0, c.sharedLoadBankConflicts());
    }

    /** 32 lanes x 16 contiguous bytes per load, W read once and X (small, cached on a GPU) once per CTA. */
    @ParameterizedTest
    @EnumSource(DType.class)
    void gemvLoadsAreFullyCoalescedAndReadWOnce(DType t) {
        int n = 64, k = 4096;
        LinearSpec spec = new LinearSpec(1, n, k, t);
        List<LaunchReport> reports = launches(spec);
        assertEquals(List.of(GemvLauncher.kernel(spec)), reports.stream().map(LaunchReport::kernel).toList(), "no split: N fills the SMs");
        Counters c = reports.getFirst().counters();
        assertEquals(16.0, c.globalLoadSectorsPerRequest(), c::toString);
        long w = (long) n * k * t.bytes(), x = (long) k * t.bytes();
        assertEquals(w + x * (n / 4), c.globalLoadBytes);
    }

    @Test
    void theSplitKReductionReadsEachPartialOnce() {
        LinearSpec spec = new LinearSpec(6, 12, 8200, DType.BF16);
        List<LaunchReport> reports = launches(spec);
        assertEquals(List.of(GemvLauncher.kernel(spec), GemvLauncher.reduceKernel(spec)), reports.stream().map(LaunchReport::kernel).toList());
        int splits = reports.getFirst().grid().y();
        assertEquals(GemvLauncher.splits(spec, EmuDriver.SMS), splits);
        assertEquals(4L * splits * spec.m() * spec.n(), reports.get(1).counters().globalLoadBytes, "fp32 partials, each once");
    }
}

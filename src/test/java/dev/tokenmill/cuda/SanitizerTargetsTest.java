package dev.tokenmill.cuda;

import dev.tokenmill.backend.Availability;
import dev.tokenmill.backend.PeakProbe;
import dev.tokenmill.backend.PrepareOptions;
import dev.tokenmill.backend.PreparedOp;
import dev.tokenmill.op.AppendSpec;
import dev.tokenmill.op.CopySpec;
import dev.tokenmill.op.DType;
import dev.tokenmill.op.DecodeSpec;
import dev.tokenmill.op.KvLayout;
import dev.tokenmill.op.LinearSpec;
import dev.tokenmill.op.OpSpec;
import dev.tokenmill.op.PrefillSpec;
import dev.tokenmill.reference.Verification;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * One small op of every kernel family, and the peak probes, each verified and then called through the timed path
 * (filler launches, a CUDA graph of whole rotations): what {@code ./tokenmill-tests gpu} runs under
 * {@code compute-sanitizer --tool memcheck} and {@code --tool racecheck}, in one JVM per tool rather than one per
 * op. Tagged {@code sanitize}, not {@code gpu}, so the GPU tests do not run it a second time; without a GPU it is
 * skipped with the reason.
 */
@Tag("sanitize")
class SanitizerTargetsTest {
    private static final CudaBackend cuda = new CudaBackend();

    /** Small shapes, off the tiles where a family allows it, so edge paths run under the sanitizer too. */
    static List<OpSpec> oneOpPerFamily() {
        return List.of(
                new LinearSpec(130, 136, 72, DType.BF16),                                   // linear: mma
                new LinearSpec(65, 33, 13, DType.F32),                                      // linear: simt
                new LinearSpec(3, 260, 4096, DType.BF16),                                   // gemv, split-K
                new PrefillSpec(1, 130, 4, 2, 128, DType.BF16),                             // prefill: mma
                new PrefillSpec(1, 33, 2, 1, 64, DType.F32),                                // prefill: simt
                DecodeSpec.uniform(2, 8, 2, 128, 300, KvLayout.PAGED, 16, DType.BF16),      // decode: split + merge
                AppendSpec.uniform(2, 2, 128, 17, KvLayout.PAGED, 16, DType.BF16),          // kv: append
                new CopySpec(1 << 20));                                                     // kv: copy probe
    }

    @ParameterizedTest
    @MethodSource("oneOpPerFamily")
    void anOpVerifiesAndRunsThroughTheTimedPath(OpSpec spec) {
        needsAGpu();
        try (PreparedOp op = cuda.prepare(spec, PrepareOptions.single())) {
            Verification v = op.verify();
            assertTrue(v.passed(), op.variant() + " " + spec.shapeText() + ": " + v.summary());
            assertTrue(op.secondsPerCall(16) > 0);
        }
    }

    @Test
    void thePeakProbesVerifyAndRun() {
        needsAGpu();
        for (DType t : DType.values())
            try (PeakProbe probe = cuda.preparePeak(t)) {
                Verification v = probe.verify();
                assertTrue(v.passed(), probe.variant() + ": " + v.summary());
                assertTrue(probe.secondsPerCall(2) > 0);
            }
    }

    private static void needsAGpu() {
        Availability a = cuda.availability();
        assumeTrue(a.available(), "no working CUDA device: " + a.reason());
    }
}

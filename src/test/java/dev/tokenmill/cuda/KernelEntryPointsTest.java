package dev.tokenmill.cuda;

import dev.tokenmill.op.AppendSpec;
import dev.tokenmill.op.DType;
import dev.tokenmill.op.DecodeSpec;
import dev.tokenmill.op.KvLayout;
import dev.tokenmill.op.LinearSpec;
import dev.tokenmill.op.PrefillSpec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every kernel a launcher can ask for is an entry point of the packaged PTX (no GPU needed), so a renamed
 * kernel fails here rather than on a GPU machine. Skipped, saying so, in a build without PTX.
 */
class KernelEntryPointsTest {
    /** {@code cuDriverGetVersion} of the oldest driver branch tokenmill is built for (CUDA 12.2). */
    private static final int R535 = 12020;

    @Test
    void everyLauncherKernelIsInThePackagedPtx() {
        Map<String, List<String>> wanted = Map.of(
                "linear", kernels(t -> List.of(LinearLauncher.kernel(new LinearSpec(128, 128, 64, t)),
                        LinearLauncher.kernel(new LinearSpec(128, 128, 63, t)))),
                "gemv", kernels(t -> {
                    List<String> k = new ArrayList<>();
                    for (int m : new int[]{1, 2, 3, 4, 5, 64}) k.add(GemvLauncher.kernel(new LinearSpec(m, 8, 64, t)));
                    k.add(GemvLauncher.reduceKernel(new LinearSpec(1, 8, 64, t)));
                    return k;
                }),
                "prefill", kernels(t -> List.of(PrefillLauncher.kernel(new PrefillSpec(1, 1, 1, 1, 64, t)),
                        PrefillLauncher.kernel(new PrefillSpec(1, 1, 1, 1, 128, t)))),
                "decode", kernels(t -> List.of(
                        DecodeLauncher.splitKernel(DecodeSpec.uniform(1, 1, 1, 64, 1, KvLayout.PAGED, 16, t)),
                        DecodeLauncher.splitKernel(DecodeSpec.uniform(1, 1, 1, 128, 1, KvLayout.PAGED, 16, t)),
                        DecodeLauncher.mergeKernel(DecodeSpec.uniform(1, 1, 1, 64, 1, KvLayout.PAGED, 16, t)))),
                "kv", kernels(t -> List.of(AppendLauncher.kernel(AppendSpec.uniform(1, 1, 64, 1, KvLayout.PAGED, 16, t)),
                        CopyLauncher.KERNEL)),
                PeakLauncher.FAMILY, kernels(t -> List.of(PeakLauncher.kernel(t))));
        assertTrue(wanted.keySet().containsAll(CudaKernels.FAMILIES) && CudaKernels.FAMILIES.containsAll(wanted.keySet()));
        for (String family : CudaKernels.FAMILIES) {
            var ptx = PtxSource.find(family, 80);
            assumeTrue(ptx.isPresent(), "no PTX packaged in this build (" + PtxTarget.resource(family, "sm_80") + ")");
            assertTrue(PtxTarget.minDriver(ptx.get().isa()).isPresent(), family + " PTX ISA " + ptx.get().isa() + " is unknown");
            assertEquals(Optional.empty(), PtxTarget.driverProblem(ptx.get().isa(), R535),
                    family + " PTX must JIT on an R535 driver (kernels/build.sh lowers .version to what the kernels need)");
            for (String kernel : wanted.get(family))
                assertTrue(ptx.get().entry(kernel).isPresent(), kernel + " is not an entry point of " + family + " PTX");
        }
    }

    @Test
    void declarationsMatchTheAbi() {
        var decode = PtxSource.find("decode", 80);
        var kv = PtxSource.find("kv", 80);
        assumeTrue(decode.isPresent() && kv.isPresent(), "no PTX packaged in this build");
        assertEquals(new PtxSource.Entry(List.of(8, 8, 8, 8, 8, 8, 8, 4, 4, 4, 4, 4, 4, 4), 128),
                decode.get().entry("tm_decode_split_d128_bf16").orElseThrow());
        assertEquals(new PtxSource.Entry(List.of(8, 8, 8), 256), kv.get().entry(CopyLauncher.KERNEL).orElseThrow());
        var probe = PtxSource.find(PeakLauncher.FAMILY, 80).orElseThrow();
        for (DType t : DType.values())   // ptr out, i32 iters, i32 a, i32 b; PeakLauncher.THREADS per block
            assertEquals(new PtxSource.Entry(List.of(8, 4, 4, 4), PeakLauncher.THREADS), probe.entry(PeakLauncher.kernel(t)).orElseThrow());
    }

    private static List<String> kernels(java.util.function.Function<DType, List<String>> perDtype) {
        List<String> all = new ArrayList<>();
        for (DType t : DType.values()) all.addAll(perDtype.apply(t));
        return all;
    }
}

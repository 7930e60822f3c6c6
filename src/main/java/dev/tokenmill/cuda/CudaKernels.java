package dev.tokenmill.cuda;

import dev.tokenmill.op.AppendSpec;
import dev.tokenmill.op.CopySpec;
import dev.tokenmill.op.DecodeSpec;
import dev.tokenmill.op.LinearSpec;
import dev.tokenmill.op.OpSpec;
import dev.tokenmill.op.PrefillSpec;

import java.util.List;

/** Picks the launcher for an op: the kernel family and, within it, the variant for the shape. */
final class CudaKernels {
    /** The PTX families the launchers and the peak probe use ({@code /kernels/<family>.<target>.ptx}, kernels/ABI.md). */
    static final List<String> FAMILIES = List.of("linear", "gemv", "prefill", "decode", "kv", PeakLauncher.FAMILY);

    private CudaKernels() {}

    static CudaKernel of(OpSpec spec, CudaDevice device) {
        return switch (spec) {
            case LinearSpec s -> GemvLauncher.handles(s) ? new GemvLauncher(s, device) : new LinearLauncher(s, device);
            case PrefillSpec s -> new PrefillLauncher(s, device);
            case DecodeSpec s -> new DecodeLauncher(s, device);
            case AppendSpec s -> new AppendLauncher(s, device);
            case CopySpec s -> new CopyLauncher(s, device);
        };
    }
}

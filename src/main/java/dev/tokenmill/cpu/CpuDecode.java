package dev.tokenmill.cpu;

import dev.tokenmill.op.DecodeSpec;

/** Placeholder until the kernel lands. */
final class CpuDecode {
    private CpuDecode() {}

    static CpuKernel of(DecodeSpec spec) {
        throw new UnsupportedOperationException("the CPU Decode kernel is not implemented yet");
    }
}

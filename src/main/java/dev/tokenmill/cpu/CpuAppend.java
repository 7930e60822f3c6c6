package dev.tokenmill.cpu;

import dev.tokenmill.op.AppendSpec;

/** Placeholder until the kernel lands. */
final class CpuAppend {
    private CpuAppend() {}

    static CpuKernel of(AppendSpec spec) {
        throw new UnsupportedOperationException("the CPU Append kernel is not implemented yet");
    }
}

package dev.tokenmill.cpu;

import dev.tokenmill.op.LinearSpec;

/** Placeholder until the kernel lands. */
final class CpuLinear {
    private CpuLinear() {}

    static CpuKernel of(LinearSpec spec) {
        throw new UnsupportedOperationException("the CPU Linear kernel is not implemented yet");
    }
}

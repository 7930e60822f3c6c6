package dev.tokenmill.cpu;

import dev.tokenmill.op.PrefillSpec;

/** Placeholder until the kernel lands. */
final class CpuPrefill {
    private CpuPrefill() {}

    static CpuKernel of(PrefillSpec spec) {
        throw new UnsupportedOperationException("the CPU Prefill kernel is not implemented yet");
    }
}

package dev.tokenmill.cpu;

import dev.tokenmill.tensor.Operands;

/** One CPU kernel for one op shape: computes the op's outputs from its inputs, in place in the operands. */
public interface CpuKernel {
    /** The variant name recorded with results, e.g. {@code cpu.gemm.packed}. */
    String variant();

    void run(Operands operands);
}

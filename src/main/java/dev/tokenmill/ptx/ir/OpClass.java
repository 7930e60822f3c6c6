package dev.tokenmill.ptx.ir;

/** The instruction classes the counters report, in the spirit of Nsight Compute's instruction mix. */
public enum OpClass {
    FP32, INTEGER, CONVERSION, MOVE, PREDICATE, MEMORY, CONTROL, BARRIER, COLLECTIVE, TENSOR
}

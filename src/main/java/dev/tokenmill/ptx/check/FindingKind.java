package dev.tokenmill.ptx.check;

/** What a finding reports, grouped by the compute-sanitizer tool that reports the same thing. */
public enum FindingKind {
    // memcheck
    GLOBAL_OUT_OF_BOUNDS("memcheck", "global access outside every allocation"),
    GLOBAL_CROSSES_END("memcheck", "global access runs past the end of its allocation"),
    NULL_POINTER("memcheck", "global access through a null pointer"),
    USE_AFTER_FREE("memcheck", "global access to a freed allocation"),
    MISALIGNED("memcheck", "access not aligned to its size"),
    SHARED_OUT_OF_BOUNDS("memcheck", "shared access past the CTA's static + dynamic size"),
    // racecheck
    SHARED_RAW("racecheck", "read after write by another warp with no barrier between"),
    SHARED_WAR("racecheck", "write after read by another warp with no barrier between"),
    SHARED_WAW("racecheck", "write after write by another warp with no barrier between"),
    // synccheck
    BARRIER_DIVERGENCE("synccheck", "bar.sync reached at different instructions, or not by every non-exited thread"),
    COLLECTIVE_DIVERGENCE("synccheck", "warp collective executed by lanes that are not converged"),
    COLLECTIVE_MASK("synccheck", "warp collective executed by a lane outside its member mask"),
    COLLECTIVE_EXITED("synccheck", "aligned warp collective executed while lanes of the warp have exited"),
    // asynchronous copies
    CP_ASYNC_READ_BEFORE_WAIT("cp.async", "shared memory read while a cp.async to it is still in flight"),
    CP_ASYNC_WRITE_BEFORE_WAIT("cp.async", "shared memory written while a cp.async to it is still in flight"),
    CP_ASYNC_BAD_SIZE("cp.async", "cp.async src-size larger than cp-size (undefined)"),
    // initcheck
    UNINITIALIZED_GLOBAL("initcheck", "global memory read that nobody wrote"),
    UNINITIALIZED_SHARED("initcheck", "shared memory read that this CTA did not write"),
    // results the ISA leaves unspecified
    DIVIDE_BY_ZERO("unspecified", "integer division by zero (the ISA leaves the result unspecified)"),
    // the interpreter stopped the CTA
    INSTRUCTION_LIMIT("interpreter", "the CTA executed more warp instructions than the launch allows; it was stopped");

    public final String tool;
    public final String meaning;

    FindingKind(String tool, String meaning) {
        this.tool = tool;
        this.meaning = meaning;
    }
}

package dev.tokenmill.ptx.ir;

/**
 * One decoded instruction. Register operands are offsets into a warp's register file: {@code index * 32}
 * for the 32- and 64-bit files (lane {@code l} is at {@code offset + l}), the plain index for predicates.
 * Immediates and special registers were turned into constant registers when the module loaded, so every
 * operand is a register. Fields that an {@link Op} does not use stay at their defaults.
 */
public final class Instr {
    public final Op op;
    /** {@code op.ordinal()}, for counter arrays. */
    public final int opc;
    /** 1-based line in the module text, and the instruction as written, for findings and errors. */
    public final int line;
    public final String text;

    /** Guard predicate index, or -1; {@code guardNeg} for {@code @!%p}. */
    public int guard = -1;
    public boolean guardNeg;

    public int d = -1, a = -1, b = -1, c = -1, e = -1;
    /** Second destination: the {@code |q} of setp and the {@code |p} of shfl (predicate index), or -1. */
    public int d2 = -1;
    /** Vector operands: destinations and sources of ld/st .v2/.v4, mma, ldmatrix, pack/unpack. */
    public int[] dv, av, bv, cv;

    /** Address offset (memory ops), parameter offset (ld.param), cp-size, wait_group count, barrier id. */
    public long imm;
    /** cp.async: the source address offset ({@code imm} is the destination's). */
    public long imm2;
    /** Branch target (instruction index). */
    public int target;
    public Cmp cmp;
    /** setp combination: 0 none, 1 .and, 2 .or, 3 .xor; {@code cNeg} for {@code !c}. */
    public int bop;
    public boolean cNeg;
    /** Memory ops: bytes per element and elements per lane; cvt: source and destination types. */
    public int size, vec;
    public Type srcType, dstType;
    /** Loads sign-extend; destinations or sources wider than the type; address register in the 64-bit file. */
    public boolean signed, wideReg, wideAddr;
    /** shfl mode (0 up, 1 down, 2 bfly, 3 idx); ldmatrix 1 = .trans; bfind 1 = .shiftamt; wait 1 = wait_all; bra 1 = .uni. */
    public int mode;

    public Instr(Op op, int line, String text) {
        this.op = op;
        this.opc = op.ordinal();
        this.line = line;
        this.text = text;
    }

    @Override
    public String toString() {
        return "line " + line + ": " + text;
    }
}

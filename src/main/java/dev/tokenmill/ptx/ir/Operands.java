package dev.tokenmill.ptx.ir;

/**
 * Which fields of an {@link Instr} name 32- or 64-bit registers, and whether the instruction reads or writes
 * them: the interpreter's use of each field ({@code exec.Warp}, {@code exec.Lsu}, {@code exec.TensorCore}),
 * written down once for the passes that rename registers. Predicates are not listed (they are not renamed).
 */
public final class Operands {
    private Operands() {}

    /** Receives each register field; returns the value to store back (the offset itself, or a new one). */
    public interface Sink {
        int reg(RegFile file, boolean written, int offset);
    }

    /** Calls {@code s} for every 32- and 64-bit register field of {@code in}, sources first, and stores back its answer. */
    public static void visit(Instr in, Sink s) {
        final RegFile r32 = RegFile.R32, r64 = RegFile.R64;
        switch (in.op) {
            case ADD_32, SUB_32, MUL_LO_32, MUL_HI_S32, MUL_HI_U32, DIV_S32, DIV_U32, REM_S32, REM_U32,
                 MIN_S32, MAX_S32, MIN_U32, MAX_U32, AND_32, OR_32, XOR_32, SHL_32, SHR_U32, SHR_S32,
                 ADD_F32, SUB_F32, MUL_F32, DIV_F32, MIN_F32, MAX_F32, PACK_16X2, CVT_F16X2_F32, CVT_BF16X2_F32 -> {
                in.a = s.reg(r32, false, in.a);
                in.b = s.reg(r32, false, in.b);
                in.d = s.reg(r32, true, in.d);
            }
            case MAD_LO_32, FMA_F32 -> {
                in.a = s.reg(r32, false, in.a);
                in.b = s.reg(r32, false, in.b);
                in.c = s.reg(r32, false, in.c);
                in.d = s.reg(r32, true, in.d);
            }
            case BFI_32 -> {
                in.a = s.reg(r32, false, in.a);
                in.b = s.reg(r32, false, in.b);
                in.c = s.reg(r32, false, in.c);
                in.e = s.reg(r32, false, in.e);
                in.d = s.reg(r32, true, in.d);
            }
            case NEG_32, ABS_S32, NOT_32, BREV_32, BFIND_U32, BFIND_S32, POPC_32, CLZ_32, MOV_32,
                 RCP_F32, SQRT_F32, EX2_F32, NEG_F32, ABS_F32, CVT_F32_S32, CVT_F32_U32,
                 CVT_F16_F32, CVT_BF16_F32, CVT_F32_F16, CVT_F32_BF16 -> {
                in.a = s.reg(r32, false, in.a);
                in.d = s.reg(r32, true, in.d);
            }
            case MUL_WIDE_S32, MUL_WIDE_U32, PACK_32X2 -> {
                in.a = s.reg(r32, false, in.a);
                in.b = s.reg(r32, false, in.b);
                in.d = s.reg(r64, true, in.d);
            }
            case ADD_64, SUB_64, MUL_LO_64, DIV_S64, DIV_U64, REM_S64, REM_U64, MIN_S64, MAX_S64, MIN_U64, MAX_U64,
                 AND_64, OR_64, XOR_64 -> {
                in.a = s.reg(r64, false, in.a);
                in.b = s.reg(r64, false, in.b);
                in.d = s.reg(r64, true, in.d);
            }
            case MAD_LO_64 -> {
                in.a = s.reg(r64, false, in.a);
                in.b = s.reg(r64, false, in.b);
                in.c = s.reg(r64, false, in.c);
                in.d = s.reg(r64, true, in.d);
            }
            case NOT_64, MOV_64, CVTA_GLOBAL -> {
                in.a = s.reg(r64, false, in.a);
                in.d = s.reg(r64, true, in.d);
            }
            case SHL_64, SHR_U64, SHR_S64 -> { // the shift amount is .u32
                in.a = s.reg(r64, false, in.a);
                in.b = s.reg(r32, false, in.b);
                in.d = s.reg(r64, true, in.d);
            }
            case SETP_S32, SETP_U32, SETP_F32, SELP_32 -> { // destinations and c are predicates
                in.a = s.reg(r32, false, in.a);
                in.b = s.reg(r32, false, in.b);
                if (in.op == Op.SELP_32) in.d = s.reg(r32, true, in.d);
            }
            case SETP_S64, SETP_U64, SELP_64 -> {
                in.a = s.reg(r64, false, in.a);
                in.b = s.reg(r64, false, in.b);
                if (in.op == Op.SELP_64) in.d = s.reg(r64, true, in.d);
            }
            case AND_PRED, OR_PRED, XOR_PRED, NOT_PRED, MOV_PRED, CP_ASYNC_COMMIT, CP_ASYNC_WAIT, BRA, EXIT, BAR_SYNC -> {
            }
            case UNPACK_16X2, UNPACK_32X2 -> {
                in.a = s.reg(in.op == Op.UNPACK_32X2 ? r64 : r32, false, in.a);
                vector(s, r32, true, in.dv);
            }
            case CVT_S64_S32, CVT_U64_U32 -> {
                in.a = s.reg(r32, false, in.a);
                in.d = s.reg(r64, true, in.d);
            }
            case CVT_U32_U64 -> {
                in.a = s.reg(r64, false, in.a);
                in.d = s.reg(r32, true, in.d);
            }
            case CVT_INT -> { // wideAddr: the source is in the 64-bit file; wideReg: the destination is
                in.a = s.reg(in.wideAddr ? r64 : r32, false, in.a);
                in.d = s.reg(in.wideReg ? r64 : r32, true, in.d);
            }
            case LD_PARAM -> vector(s, in.wideReg ? r64 : r32, true, in.dv);
            case LD_GLOBAL, LD_SHARED, LDMATRIX -> {
                in.a = s.reg(in.op == Op.LD_GLOBAL || in.wideAddr ? r64 : r32, false, in.a);
                vector(s, in.wideReg ? r64 : r32, true, in.dv);
            }
            case ST_GLOBAL, ST_SHARED -> {
                in.a = s.reg(in.op == Op.ST_GLOBAL || in.wideAddr ? r64 : r32, false, in.a);
                vector(s, in.wideReg ? r64 : r32, false, in.av);
            }
            case CP_ASYNC -> { // a: shared destination, b: global source, c: src-size
                in.a = s.reg(in.wideAddr ? r64 : r32, false, in.a);
                in.b = s.reg(r64, false, in.b);
                in.c = s.reg(r32, false, in.c);
            }
            case SHFL -> { // d2, the in-range predicate, is a predicate
                in.a = s.reg(r32, false, in.a);
                in.b = s.reg(r32, false, in.b);
                in.c = s.reg(r32, false, in.c);
                in.e = s.reg(r32, false, in.e);
                in.d = s.reg(r32, true, in.d);
            }
            case MMA_F16, MMA_BF16 -> {
                vector(s, r32, false, in.av);
                vector(s, r32, false, in.bv);
                vector(s, r32, false, in.cv);
                vector(s, r32, true, in.dv);
            }
            default -> throw new IllegalStateException("no operand list for " + in.op); // OperandsTest visits every Op
        }
    }

    private static void vector(Sink s, RegFile f, boolean written, int[] offsets) {
        for (int k = 0; k < offsets.length; k++) offsets[k] = s.reg(f, written, offsets[k]);
    }
}

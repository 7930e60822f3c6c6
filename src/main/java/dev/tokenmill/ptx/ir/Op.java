package dev.tokenmill.ptx.ir;

import static dev.tokenmill.ptx.ir.OpClass.*;

/**
 * What the interpreter executes: one constant per PTX opcode and operand width, resolved when the module
 * loads, so that execution is one {@code switch} over this enum. Signedness that does not change the bits
 * (add.s32 vs add.u32) shares a constant; the counters index {@code long[]} arrays by {@link #ordinal()}.
 */
public enum Op {
    // 32-bit integer (operands in the 32-bit register file)
    ADD_32(INTEGER), SUB_32(INTEGER), MUL_LO_32(INTEGER), MUL_HI_S32(INTEGER), MUL_HI_U32(INTEGER),
    MAD_LO_32(INTEGER), MUL_WIDE_S32(INTEGER), MUL_WIDE_U32(INTEGER),
    DIV_S32(INTEGER), DIV_U32(INTEGER), REM_S32(INTEGER), REM_U32(INTEGER),
    MIN_S32(INTEGER), MAX_S32(INTEGER), MIN_U32(INTEGER), MAX_U32(INTEGER), NEG_32(INTEGER), ABS_S32(INTEGER),
    AND_32(INTEGER), OR_32(INTEGER), XOR_32(INTEGER), NOT_32(INTEGER),
    SHL_32(INTEGER), SHR_U32(INTEGER), SHR_S32(INTEGER),
    BFI_32(INTEGER), BREV_32(INTEGER), BFIND_U32(INTEGER), BFIND_S32(INTEGER), POPC_32(INTEGER), CLZ_32(INTEGER),
    // 64-bit integer (operands in the 64-bit register file; shift amounts are .u32)
    ADD_64(INTEGER), SUB_64(INTEGER), MUL_LO_64(INTEGER), MAD_LO_64(INTEGER),
    DIV_S64(INTEGER), DIV_U64(INTEGER), REM_S64(INTEGER), REM_U64(INTEGER),
    MIN_S64(INTEGER), MAX_S64(INTEGER), MIN_U64(INTEGER), MAX_U64(INTEGER),
    AND_64(INTEGER), OR_64(INTEGER), XOR_64(INTEGER), NOT_64(INTEGER),
    SHL_64(INTEGER), SHR_U64(INTEGER), SHR_S64(INTEGER),
    // comparisons and selects; Instr.cmp holds the comparison, Instr.bop the .and/.or/.xor combination
    SETP_S32(INTEGER), SETP_U32(INTEGER), SETP_S64(INTEGER), SETP_U64(INTEGER), SETP_F32(FP32),
    SELP_32(INTEGER), SELP_64(INTEGER),
    // predicate logic (predicate registers are 32-lane masks)
    AND_PRED(PREDICATE), OR_PRED(PREDICATE), XOR_PRED(PREDICATE), NOT_PRED(PREDICATE), MOV_PRED(PREDICATE),
    // moves
    MOV_32(MOVE), MOV_64(MOVE), PACK_16X2(MOVE), UNPACK_16X2(MOVE), PACK_32X2(MOVE), UNPACK_32X2(MOVE),
    CVTA_GLOBAL(MOVE),
    // f32 (IEEE binary32, round to nearest even unless stated)
    ADD_F32(FP32), SUB_F32(FP32), MUL_F32(FP32), FMA_F32(FP32), DIV_F32(FP32), RCP_F32(FP32),
    EX2_F32(FP32), MIN_F32(FP32), MAX_F32(FP32), NEG_F32(FP32), ABS_F32(FP32), SQRT_F32(FP32),
    // conversions
    CVT_S64_S32(CONVERSION), CVT_U64_U32(CONVERSION), CVT_U32_U64(CONVERSION), CVT_INT(CONVERSION),
    CVT_F32_S32(CONVERSION), CVT_F32_U32(CONVERSION),
    CVT_F16_F32(CONVERSION), CVT_BF16_F32(CONVERSION), CVT_F16X2_F32(CONVERSION), CVT_BF16X2_F32(CONVERSION),
    CVT_F32_F16(CONVERSION), CVT_F32_BF16(CONVERSION),
    // memory
    LD_PARAM(MEMORY), LD_GLOBAL(MEMORY), ST_GLOBAL(MEMORY), LD_SHARED(MEMORY), ST_SHARED(MEMORY),
    CP_ASYNC(MEMORY), CP_ASYNC_COMMIT(MEMORY), CP_ASYNC_WAIT(MEMORY), LDMATRIX(COLLECTIVE),
    // control
    BRA(CONTROL), EXIT(CONTROL), BAR_SYNC(BARRIER),
    // warp collectives
    SHFL(COLLECTIVE), MMA_F16(TENSOR), MMA_BF16(TENSOR);

    private final OpClass opClass;

    Op(OpClass opClass) {
        this.opClass = opClass;
    }

    public OpClass opClass() {
        return opClass;
    }
}

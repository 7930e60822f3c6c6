package dev.tokenmill.ptx.exec;

import dev.tokenmill.ptx.check.FindingKind;
import dev.tokenmill.ptx.count.Counters;
import dev.tokenmill.ptx.ir.Cmp;
import dev.tokenmill.ptx.ir.Instr;
import dev.tokenmill.ptx.ir.Op;
import dev.tokenmill.ptx.ir.Program;
import dev.tokenmill.ptx.ir.SpecialReg;

import java.util.Arrays;

/**
 * 32 lanes in lockstep; the most frequent ALU ops are vectors with stores masked by the executing lanes
 * ({@link Lanes}), the others loop over all 32 lanes and keep the old value where a lane is off (a counted loop
 * the JIT unrolls, measured faster than walking the mask bits). Registers are lane arrays
 * ({@code reg * 32 + lane}); predicates are 32-bit lane masks. Every lane has its own PC; the warp runs the group of runnable lanes at the lowest PC, so lanes
 * that branched apart reconverge where their paths meet (for the forward branches and loops compilers emit,
 * the immediate post-dominator). Lanes leave the runnable set when they exit, wait at bar.sync, or wait
 * at a .sync collective for the other lanes of its member mask.
 */
final class Warp {
    final Cta cta;
    int index;
    int[] r = new int[0];
    long[] d = new long[0];
    int[] p = new int[0];

    final int[] lanePc = new int[32];
    final int[] barrierPc = new int[32];
    /** Lanes that are threads of the CTA and have not exited. */
    int live;
    int atBarrier, parked;
    /** The group being executed, its PC, and the lowest PC of every other waiting lane. */
    int active, pc, nextPc;
    /** Set by the CTA to run a collective whose rendezvous can never complete (reported, not waited for). */
    boolean forced;

    final CpAsyncQueue cp = new CpAsyncQueue();

    Warp(Cta cta) {
        this.cta = cta;
    }

    void reset(Program prog, int warpIndex, int lanes, Launch launch, int[] ctaId) {
        index = warpIndex;
        int n32 = prog.regs32() * 32, n64 = prog.regs64() * 32;
        if (r.length < n32) r = new int[n32];
        else Arrays.fill(r, 0, n32, 0);
        if (d.length < n64) d = new long[n64];
        else Arrays.fill(d, 0, n64, 0L);
        if (p.length < prog.preds()) p = new int[prog.preds()];
        else Arrays.fill(p, 0, prog.preds(), 0);
        long[] c32 = prog.constR32();
        for (int k = 0; k < c32.length; k += 2) Arrays.fill(r, (int) c32[k] * 32, (int) c32[k] * 32 + 32, (int) c32[k + 1]);
        long[] c64 = prog.constR64();
        for (int k = 0; k < c64.length; k += 2) Arrays.fill(d, (int) c64[k] * 32, (int) c64[k] * 32 + 32, c64[k + 1]);
        int[] cpr = prog.constPred();
        for (int k = 0; k < cpr.length; k += 2) p[cpr[k]] = cpr[k + 1] != 0 ? -1 : 0;
        Dim3 b = launch.block(), g = launch.grid();
        int[] slots = prog.specials();
        SpecialReg[] kinds = prog.specialKinds();
        for (int k = 0; k < slots.length; k++) {
            int base = slots[k] * 32;
            for (int l = 0; l < 32; l++) {
                int t = warpIndex * 32 + l;
                r[base + l] = switch (kinds[k]) {
                    case TID_X -> t % b.x();
                    case TID_Y -> t / b.x() % b.y();
                    case TID_Z -> t / (b.x() * b.y());
                    case NTID_X -> b.x();
                    case NTID_Y -> b.y();
                    case NTID_Z -> b.z();
                    case CTAID_X -> ctaId[0];
                    case CTAID_Y -> ctaId[1];
                    case CTAID_Z -> ctaId[2];
                    case NCTAID_X -> g.x();
                    case NCTAID_Y -> g.y();
                    case NCTAID_Z -> g.z();
                    case LANEID -> l;
                    case WARPID -> warpIndex;
                };
            }
        }
        live = lanes == 32 ? -1 : (1 << lanes) - 1;
        atBarrier = parked = 0;
        Arrays.fill(lanePc, 0);
        active = live;
        pc = 0;
        nextPc = Integer.MAX_VALUE;
        forced = false;
        cp.clear();
    }

    /** Runs until no lane of this warp can go on (all exited, or waiting at a barrier or a collective). */
    void run(Counters k) {
        final Instr[] code = cta.code;
        final long[] ops = k.warpInstructions;
        long threads = 0, budget = cta.budget; // locals while running, written back when the warp stops
        while (active != 0) {
            final Instr in = code[pc];
            int exec = active;
            if (in.guard >= 0) exec &= in.guardNeg ? ~p[in.guard] : p[in.guard];
            ops[in.opc]++;
            threads += Integer.bitCount(exec);
            if (--budget < 0) {
                cta.budget = budget;
                cta.stopRunaway(in, index, Integer.numberOfTrailingZeros(active));
                break;
            }
            final int at = pc;
            pc = at + 1;
            if (execute(in, exec, at)) continue;
            if (active == 0 || pc >= nextPc) reschedule();
        }
        k.threadInstructions += threads;
        cta.budget = budget;
    }

    /**
     * One instruction for the lanes in {@code exec} (the group is {@code active}, at {@code at}; pc already
     * points past it). A method of its own, called per instruction, so the JIT compiles it as a whole
     * rather than from inside one of its lane loops. Returns true when the group was parked and rescheduled.
     */
    private boolean execute(Instr in, int exec, int at) {
        final int[] r = this.r;
        final long[] d = this.d;
        final int[] p = this.p;
        final int D = in.d, A = in.a, B = in.b, C = in.c;
        switch (in.op) {
            case ADD_32 -> Lanes.add(r, D, A, B, exec);
            case SUB_32 -> Lanes.sub(r, D, A, B, exec);
            case MUL_LO_32 -> Lanes.mulLo(r, D, A, B, exec);
            case MUL_HI_S32 -> { for (int l = 0; l < 32; l++) r[D + l] = (exec >>> l & 1) != 0 ? (int) (((long) r[A + l] * r[B + l]) >> 32) : r[D + l]; }
            case MUL_HI_U32 -> { for (int l = 0; l < 32; l++) r[D + l] = (exec >>> l & 1) != 0 ? (int) ((Integer.toUnsignedLong(r[A + l]) * Integer.toUnsignedLong(r[B + l])) >>> 32) : r[D + l]; }
            case MAD_LO_32 -> Lanes.madLo(r, D, A, B, C, exec);
            case MUL_WIDE_S32 -> { for (int l = 0; l < 32; l++) d[D + l] = (exec >>> l & 1) != 0 ? (long) r[A + l] * r[B + l] : d[D + l]; }
            case MUL_WIDE_U32 -> { for (int l = 0; l < 32; l++) d[D + l] = (exec >>> l & 1) != 0 ? Integer.toUnsignedLong(r[A + l]) * Integer.toUnsignedLong(r[B + l]) : d[D + l]; }
            case DIV_S32, DIV_U32, REM_S32, REM_U32 -> div32(in, exec);
            case MIN_S32 -> { for (int l = 0; l < 32; l++) r[D + l] = (exec >>> l & 1) != 0 ? Math.min(r[A + l], r[B + l]) : r[D + l]; }
            case MAX_S32 -> { for (int l = 0; l < 32; l++) r[D + l] = (exec >>> l & 1) != 0 ? Math.max(r[A + l], r[B + l]) : r[D + l]; }
            case MIN_U32 -> { for (int l = 0; l < 32; l++) r[D + l] = (exec >>> l & 1) != 0 ? Integer.compareUnsigned(r[A + l], r[B + l]) <= 0 ? r[A + l] : r[B + l] : r[D + l]; }
            case MAX_U32 -> { for (int l = 0; l < 32; l++) r[D + l] = (exec >>> l & 1) != 0 ? Integer.compareUnsigned(r[A + l], r[B + l]) >= 0 ? r[A + l] : r[B + l] : r[D + l]; }
            case NEG_32 -> { for (int l = 0; l < 32; l++) r[D + l] = (exec >>> l & 1) != 0 ? -r[A + l] : r[D + l]; }
            case ABS_S32 -> { for (int l = 0; l < 32; l++) r[D + l] = (exec >>> l & 1) != 0 ? Math.abs(r[A + l]) : r[D + l]; }
            case AND_32 -> Lanes.and(r, D, A, B, exec);
            case OR_32 -> Lanes.or(r, D, A, B, exec);
            case XOR_32 -> Lanes.xor(r, D, A, B, exec);
            case NOT_32 -> { for (int l = 0; l < 32; l++) r[D + l] = (exec >>> l & 1) != 0 ? ~r[A + l] : r[D + l]; }
            // shift amounts above the width clamp to the width (ISA): 0 for shl/shr.u, the sign for shr.s
            case SHL_32 -> Lanes.shl(r, D, A, B, exec);
            case SHR_U32 -> Lanes.shrU(r, D, A, B, exec);
            case SHR_S32 -> Lanes.shrS(r, D, A, B, exec);
            case BFI_32 -> bfi(in, exec);
            case BREV_32 -> { for (int l = 0; l < 32; l++) r[D + l] = (exec >>> l & 1) != 0 ? Integer.reverse(r[A + l]) : r[D + l]; }
            case BFIND_U32, BFIND_S32 -> bfind(in, exec);
            case POPC_32 -> { for (int l = 0; l < 32; l++) r[D + l] = (exec >>> l & 1) != 0 ? Integer.bitCount(r[A + l]) : r[D + l]; }
            case CLZ_32 -> { for (int l = 0; l < 32; l++) r[D + l] = (exec >>> l & 1) != 0 ? Integer.numberOfLeadingZeros(r[A + l]) : r[D + l]; }

            case ADD_64 -> Lanes.add64(d, D, A, B, exec);
            case SUB_64 -> { for (int l = 0; l < 32; l++) d[D + l] = (exec >>> l & 1) != 0 ? d[A + l] - d[B + l] : d[D + l]; }
            case MUL_LO_64 -> { for (int l = 0; l < 32; l++) d[D + l] = (exec >>> l & 1) != 0 ? d[A + l] * d[B + l] : d[D + l]; }
            case MAD_LO_64 -> { for (int l = 0; l < 32; l++) d[D + l] = (exec >>> l & 1) != 0 ? d[A + l] * d[B + l] + d[C + l] : d[D + l]; }
            case DIV_S64, DIV_U64, REM_S64, REM_U64 -> div64(in, exec);
            case MIN_S64 -> { for (int l = 0; l < 32; l++) d[D + l] = (exec >>> l & 1) != 0 ? Math.min(d[A + l], d[B + l]) : d[D + l]; }
            case MAX_S64 -> { for (int l = 0; l < 32; l++) d[D + l] = (exec >>> l & 1) != 0 ? Math.max(d[A + l], d[B + l]) : d[D + l]; }
            case MIN_U64 -> { for (int l = 0; l < 32; l++) d[D + l] = (exec >>> l & 1) != 0 ? Long.compareUnsigned(d[A + l], d[B + l]) <= 0 ? d[A + l] : d[B + l] : d[D + l]; }
            case MAX_U64 -> { for (int l = 0; l < 32; l++) d[D + l] = (exec >>> l & 1) != 0 ? Long.compareUnsigned(d[A + l], d[B + l]) >= 0 ? d[A + l] : d[B + l] : d[D + l]; }
            case AND_64 -> { for (int l = 0; l < 32; l++) d[D + l] = (exec >>> l & 1) != 0 ? d[A + l] & d[B + l] : d[D + l]; }
            case OR_64 -> { for (int l = 0; l < 32; l++) d[D + l] = (exec >>> l & 1) != 0 ? d[A + l] | d[B + l] : d[D + l]; }
            case XOR_64 -> { for (int l = 0; l < 32; l++) d[D + l] = (exec >>> l & 1) != 0 ? d[A + l] ^ d[B + l] : d[D + l]; }
            case NOT_64 -> { for (int l = 0; l < 32; l++) d[D + l] = (exec >>> l & 1) != 0 ? ~d[A + l] : d[D + l]; }
            case SHL_64 -> { for (int m = exec; m != 0; m &= m - 1) { int l = Integer.numberOfTrailingZeros(m); int s = r[B + l]; d[D + l] = Integer.compareUnsigned(s, 63) > 0 ? 0 : d[A + l] << s; } }
            case SHR_U64 -> { for (int m = exec; m != 0; m &= m - 1) { int l = Integer.numberOfTrailingZeros(m); int s = r[B + l]; d[D + l] = Integer.compareUnsigned(s, 63) > 0 ? 0 : d[A + l] >>> s; } }
            case SHR_S64 -> { for (int m = exec; m != 0; m &= m - 1) { int l = Integer.numberOfTrailingZeros(m); int s = r[B + l]; d[D + l] = d[A + l] >> (Integer.compareUnsigned(s, 63) > 0 ? 63 : s); } }

            case SETP_S32, SETP_U32, SETP_S64, SETP_U64, SETP_F32 -> setp(in, exec);
            case SELP_32 -> Lanes.selp(r, D, A, B, p[C], exec);
            case SELP_64 -> { int c = p[C]; for (int m = exec; m != 0; m &= m - 1) { int l = Integer.numberOfTrailingZeros(m); d[D + l] = (c >>> l & 1) != 0 ? d[A + l] : d[B + l]; } }
            case AND_PRED -> p[D] = p[D] & ~exec | p[A] & p[B] & exec;
            case OR_PRED -> p[D] = p[D] & ~exec | (p[A] | p[B]) & exec;
            case XOR_PRED -> p[D] = p[D] & ~exec | (p[A] ^ p[B]) & exec;
            case NOT_PRED -> p[D] = p[D] & ~exec | ~p[A] & exec;
            case MOV_PRED -> p[D] = p[D] & ~exec | p[A] & exec;

            case MOV_32 -> Lanes.mov(r, D, A, exec);
            case MOV_64, CVTA_GLOBAL -> Lanes.mov64(d, D, A, exec);
            case PACK_16X2 -> { for (int l = 0; l < 32; l++) r[D + l] = (exec >>> l & 1) != 0 ? r[A + l] & 0xFFFF | r[B + l] << 16 : r[D + l]; }
            case UNPACK_16X2 -> { int d0 = in.dv[0], d1 = in.dv[1]; for (int m = exec; m != 0; m &= m - 1) { int l = Integer.numberOfTrailingZeros(m); int v = r[A + l]; r[d0 + l] = v & 0xFFFF; r[d1 + l] = v >>> 16; } }
            case PACK_32X2 -> { for (int l = 0; l < 32; l++) d[D + l] = (exec >>> l & 1) != 0 ? Integer.toUnsignedLong(r[A + l]) | (long) r[B + l] << 32 : d[D + l]; }
            case UNPACK_32X2 -> { int d0 = in.dv[0], d1 = in.dv[1]; for (int m = exec; m != 0; m &= m - 1) { int l = Integer.numberOfTrailingZeros(m); long v = d[A + l]; r[d0 + l] = (int) v; r[d1 + l] = (int) (v >>> 32); } }

            case ADD_F32 -> Lanes.addF(r, D, A, B, exec);
            case SUB_F32 -> Lanes.subF(r, D, A, B, exec);
            case MUL_F32 -> Lanes.mulF(r, D, A, B, exec);
            case FMA_F32 -> Lanes.fmaF(r, D, A, B, C, exec);
            case DIV_F32 -> { for (int l = 0; l < 32; l++) r[D + l] = (exec >>> l & 1) != 0 ? Fp.bits(Fp.f(r[A + l]) / Fp.f(r[B + l])) : r[D + l]; }
            case RCP_F32 -> { for (int l = 0; l < 32; l++) r[D + l] = (exec >>> l & 1) != 0 ? Fp.bits(1.0f / Fp.f(r[A + l])) : r[D + l]; }
            case SQRT_F32 -> { for (int l = 0; l < 32; l++) r[D + l] = (exec >>> l & 1) != 0 ? Fp.bits((float) Math.sqrt(Fp.f(r[A + l]))) : r[D + l]; }
            case EX2_F32 -> { for (int l = 0; l < 32; l++) r[D + l] = (exec >>> l & 1) != 0 ? Fp.ex2(r[A + l]) : r[D + l]; }
            case MIN_F32 -> { for (int l = 0; l < 32; l++) r[D + l] = (exec >>> l & 1) != 0 ? Fp.min(r[A + l], r[B + l]) : r[D + l]; }
            case MAX_F32 -> { for (int l = 0; l < 32; l++) r[D + l] = (exec >>> l & 1) != 0 ? Fp.max(r[A + l], r[B + l]) : r[D + l]; }
            // neg and abs only flip or clear the sign bit (NaN payloads pass through)
            case NEG_F32 -> { for (int l = 0; l < 32; l++) r[D + l] = (exec >>> l & 1) != 0 ? r[A + l] ^ 0x80000000 : r[D + l]; }
            case ABS_F32 -> { for (int l = 0; l < 32; l++) r[D + l] = (exec >>> l & 1) != 0 ? r[A + l] & 0x7FFFFFFF : r[D + l]; }

            case CVT_S64_S32 -> Lanes.widenS32(r, d, D, A, exec);
            case CVT_U64_U32 -> { for (int l = 0; l < 32; l++) d[D + l] = (exec >>> l & 1) != 0 ? Integer.toUnsignedLong(r[A + l]) : d[D + l]; }
            case CVT_U32_U64 -> { for (int l = 0; l < 32; l++) r[D + l] = (exec >>> l & 1) != 0 ? (int) d[A + l] : r[D + l]; }
            case CVT_INT -> cvtInt(in, exec);
            case CVT_F32_S32 -> { for (int l = 0; l < 32; l++) r[D + l] = (exec >>> l & 1) != 0 ? Float.floatToRawIntBits((float) r[A + l]) : r[D + l]; }
            case CVT_F32_U32 -> { for (int l = 0; l < 32; l++) r[D + l] = (exec >>> l & 1) != 0 ? Float.floatToRawIntBits((float) Integer.toUnsignedLong(r[A + l])) : r[D + l]; }
            case CVT_F16_F32 -> { for (int l = 0; l < 32; l++) r[D + l] = (exec >>> l & 1) != 0 ? Fp.f32ToF16(r[A + l]) : r[D + l]; }
            case CVT_BF16_F32 -> { for (int l = 0; l < 32; l++) r[D + l] = (exec >>> l & 1) != 0 ? Fp.f32ToBf16(r[A + l]) : r[D + l]; }
            // packed: the first source goes to the upper half (ISA: d[31:16] = convert(a), d[15:0] = convert(b))
            case CVT_F16X2_F32 -> { for (int l = 0; l < 32; l++) r[D + l] = (exec >>> l & 1) != 0 ? Fp.f32ToF16(r[A + l]) << 16 | Fp.f32ToF16(r[B + l]) : r[D + l]; }
            case CVT_BF16X2_F32 -> { for (int l = 0; l < 32; l++) r[D + l] = (exec >>> l & 1) != 0 ? Fp.f32ToBf16(r[A + l]) << 16 | Fp.f32ToBf16(r[B + l]) : r[D + l]; }
            case CVT_F32_F16 -> { for (int l = 0; l < 32; l++) r[D + l] = (exec >>> l & 1) != 0 ? Fp.f16ToF32(r[A + l] & 0xFFFF) : r[D + l]; }
            case CVT_F32_BF16 -> { for (int l = 0; l < 32; l++) r[D + l] = (exec >>> l & 1) != 0 ? Fp.bf16ToF32(r[A + l]) : r[D + l]; }

            case LD_PARAM -> cta.lsu.ldParam(this, in, exec);
            case LD_GLOBAL -> cta.lsu.ldGlobal(this, in, exec);
            case ST_GLOBAL -> cta.lsu.stGlobal(this, in, exec);
            case LD_SHARED -> cta.lsu.ldShared(this, in, exec);
            case ST_SHARED -> cta.lsu.stShared(this, in, exec);
            case CP_ASYNC -> cta.lsu.cpAsync(this, in, exec);
            case CP_ASYNC_COMMIT -> cp.commit(exec);
            case CP_ASYNC_WAIT -> cta.lsu.cpWait(this, in.mode == 1 ? -1 : (int) in.imm, exec);

            case BRA -> {
                if (exec == active) {
                    pc = in.target;
                } else if (exec != 0) {
                    for (int m = active; m != 0; m &= m - 1) {
                        int l = Integer.numberOfTrailingZeros(m);
                        lanePc[l] = (exec >>> l & 1) != 0 ? in.target : at + 1;
                    }
                    active = 0;
                }
            }
            case EXIT -> {
                if (exec != 0) {
                    cta.lsu.cpWait(this, -1, exec); // copies still in flight land before the thread is gone
                    live &= ~exec;
                    active &= ~exec;
                }
            }
            case BAR_SYNC -> {
                for (int m = exec; m != 0; m &= m - 1) {
                    int l = Integer.numberOfTrailingZeros(m);
                    barrierPc[l] = at;
                    lanePc[l] = at + 1;
                }
                atBarrier |= exec;
                active &= ~exec;
            }
            case SHFL -> {
                if (waitForMembers(in, r[in.e + Integer.numberOfTrailingZeros(active)], false, at)) return true;
                Collectives.shfl(this, in, exec);
            }
            case LDMATRIX -> {
                if (waitForMembers(in, -1, true, at)) return true;
                cta.lsu.ldmatrix(this, in, exec);
            }
            case MMA_F16, MMA_BF16 -> {
                if (waitForMembers(in, -1, true, at)) return true;
                cta.tensorCore.mma(r, in, exec, in.op == Op.MMA_BF16);
            }
        }
        return false;
    }

    /**
     * The rendezvous of a .sync collective: if lanes of its member mask (all 32 for .aligned ones) that have
     * not exited are elsewhere, this group waits for them here (returns true). When they can never come
     * (the CTA found nothing else runnable) the collective runs with the lanes present and is reported.
     */
    private boolean waitForMembers(Instr in, int memberMask, boolean aligned, int at) {
        int missing = memberMask & live & ~active;
        boolean wasForced = forced;
        forced = false;
        if (missing == 0) {
            if (aligned && live != -1) {
                cta.report(FindingKind.COLLECTIVE_EXITED, in, index, Integer.numberOfTrailingZeros(active), -1, null,
                        String.format("lanes %08x of the warp have exited; the ISA leaves an aligned collective undefined then", ~live));
            }
            return false;
        }
        if (wasForced) {
            cta.report(FindingKind.COLLECTIVE_DIVERGENCE, in, index, Integer.numberOfTrailingZeros(active), -1, null,
                    String.format("executed by lanes %08x while lanes %08x of its member mask never arrived", active, missing));
            return false;
        }
        if (aligned) {
            // .aligned: the warp must reach it converged; waiting for the others still gives the values
            cta.report(FindingKind.COLLECTIVE_DIVERGENCE, in, index, Integer.numberOfTrailingZeros(active), -1, null,
                    String.format("reached by lanes %08x while lanes %08x are elsewhere; .aligned needs a converged warp",
                            active, missing));
        }
        cta.counters.warpInstructions[in.opc]--; // counted when the whole group executes it
        cta.counters.threadInstructions -= Integer.bitCount(active);
        for (int m = active; m != 0; m &= m - 1) lanePc[Integer.numberOfTrailingZeros(m)] = at;
        parked |= active;
        active = 0;
        reschedule();
        return true;
    }

    /** Picks the next group: the runnable lanes at the lowest PC, joined by lanes parked at that PC. */
    void reschedule() {
        for (int m = active; m != 0; m &= m - 1) lanePc[Integer.numberOfTrailingZeros(m)] = pc;
        int runnable = live & ~atBarrier & ~parked;
        int min = Integer.MAX_VALUE;
        for (int m = runnable; m != 0; m &= m - 1) min = Math.min(min, lanePc[Integer.numberOfTrailingZeros(m)]);
        int group = 0, next = Integer.MAX_VALUE;
        for (int m = (runnable | parked & live); m != 0; m &= m - 1) {
            int l = Integer.numberOfTrailingZeros(m);
            if (lanePc[l] == min) group |= 1 << l;
            else next = Math.min(next, lanePc[l]);
        }
        parked &= ~group;
        active = group;
        pc = min;
        nextPc = next;
    }

    /** Runs the lowest parked group without its missing members (the CTA found no other way forward). */
    void forceParked() {
        int min = Integer.MAX_VALUE;
        for (int m = parked & live; m != 0; m &= m - 1) min = Math.min(min, lanePc[Integer.numberOfTrailingZeros(m)]);
        int group = 0;
        for (int m = parked & live; m != 0; m &= m - 1) {
            int l = Integer.numberOfTrailingZeros(m);
            if (lanePc[l] == min) group |= 1 << l;
        }
        parked &= ~group;
        active = group;
        pc = min;
        nextPc = Integer.MAX_VALUE;
        for (int m = (live & ~atBarrier & ~parked) | parked & live; m != 0; m &= m - 1) {
            int l = Integer.numberOfTrailingZeros(m);
            if ((group >>> l & 1) == 0) nextPc = Math.min(nextPc, lanePc[l]);
        }
        forced = true;
    }

    /** Ends every lane (the CTA was stopped). */
    void kill() {
        live = active = atBarrier = parked = 0;
        cp.clear();
    }

    /** After a barrier completes: every lane that waited resumes after its bar.sync. */
    void releaseBarrier() {
        atBarrier = 0;
        active = 0;
        reschedule();
    }

    private void div32(Instr in, int exec) {
        for (int m = exec; m != 0; m &= m - 1) {
            int l = Integer.numberOfTrailingZeros(m);
            int a = r[in.a + l], b = r[in.b + l];
            if (b == 0) {
                cta.report(FindingKind.DIVIDE_BY_ZERO, in, index, l, -1, null, "divisor is 0; the result is set to -1 (all ones)");
                r[in.d + l] = -1;
                continue;
            }
            r[in.d + l] = switch (in.op) {
                case DIV_S32 -> a / b; // Integer.MIN_VALUE / -1 wraps to Integer.MIN_VALUE
                case DIV_U32 -> Integer.divideUnsigned(a, b);
                case REM_S32 -> a % b;
                default -> Integer.remainderUnsigned(a, b);
            };
        }
    }

    private void div64(Instr in, int exec) {
        for (int m = exec; m != 0; m &= m - 1) {
            int l = Integer.numberOfTrailingZeros(m);
            long a = d[in.a + l], b = d[in.b + l];
            if (b == 0) {
                cta.report(FindingKind.DIVIDE_BY_ZERO, in, index, l, -1, null, "divisor is 0; the result is set to -1 (all ones)");
                d[in.d + l] = -1;
                continue;
            }
            d[in.d + l] = switch (in.op) {
                case DIV_S64 -> a / b;
                case DIV_U64 -> Long.divideUnsigned(a, b);
                case REM_S64 -> a % b;
                default -> Long.remainderUnsigned(a, b);
            };
        }
    }

    /** bfi.b32 d, a, b, c, e: insert the low e bits of a into b at bit c (c, e taken modulo 256; bits past 31 dropped). */
    private void bfi(Instr in, int exec) {
        for (int m = exec; m != 0; m &= m - 1) {
            int l = Integer.numberOfTrailingZeros(m);
            int pos = r[in.c + l] & 0xFF, len = r[in.e + l] & 0xFF;
            int b = r[in.b + l];
            if (len != 0 && pos < 32) {
                int n = Math.min(len, 32 - pos);
                int mask = (n == 32 ? -1 : (1 << n) - 1) << pos;
                b = b & ~mask | (r[in.a + l] << pos) & mask;
            }
            r[in.d + l] = b;
        }
    }

    /** bfind: position of the most significant 1 (signed: most significant bit differing from the sign), or -1. */
    private void bfind(Instr in, int exec) {
        for (int m = exec; m != 0; m &= m - 1) {
            int l = Integer.numberOfTrailingZeros(m);
            int a = r[in.a + l];
            if (in.op == Op.BFIND_S32 && a < 0) a = ~a;
            int pos = a == 0 ? -1 : 31 - Integer.numberOfLeadingZeros(a);
            r[in.d + l] = pos >= 0 && in.mode == 1 ? 31 - pos : pos;
        }
    }

    /** Integer conversions outside the three fast ones: sign or zero extension per the source type, then truncation. */
    private void cvtInt(Instr in, int exec) {
        int sBits = in.srcType.size * 8, dBits = in.dstType.size * 8;
        for (int m = exec; m != 0; m &= m - 1) {
            int l = Integer.numberOfTrailingZeros(m);
            long v = in.wideAddr ? d[in.a + l] : r[in.a + l];
            if (sBits < 64) v = in.srcType.isSigned() ? v << (64 - sBits) >> (64 - sBits) : v & ((1L << sBits) - 1);
            if (dBits < 64) v = in.dstType.isSigned() ? v << (64 - dBits) >> (64 - dBits) : v & ((1L << dBits) - 1);
            if (in.wideReg) d[in.d + l] = v;
            else r[in.d + l] = (int) v;
        }
    }

    private void setp(Instr in, int exec) {
        int t = 0;
        Cmp c = in.cmp;
        for (int m = exec; m != 0; m &= m - 1) {
            int l = Integer.numberOfTrailingZeros(m);
            boolean v = switch (in.op) {
                case SETP_S32 -> cmpInt(c, Integer.compare(r[in.a + l], r[in.b + l]));
                case SETP_U32 -> cmpInt(c, Integer.compareUnsigned(r[in.a + l], r[in.b + l]));
                case SETP_S64 -> cmpInt(c, Long.compare(d[in.a + l], d[in.b + l]));
                case SETP_U64 -> cmpInt(c, Long.compareUnsigned(d[in.a + l], d[in.b + l]));
                default -> cmpFloat(c, Fp.f(r[in.a + l]), Fp.f(r[in.b + l]));
            };
            if (v) t |= 1 << l;
        }
        int pv = t, qv = ~t & exec;
        if (in.bop != 0) {
            int cv = in.cNeg ? ~p[in.c] : p[in.c];
            pv = combine(in.bop, pv, cv);
            qv = combine(in.bop, qv, cv);
        }
        p[in.d] = p[in.d] & ~exec | pv & exec;
        if (in.d2 >= 0) p[in.d2] = p[in.d2] & ~exec | qv & exec;
    }

    private static int combine(int bop, int x, int c) {
        return bop == 1 ? x & c : bop == 2 ? x | c : x ^ c;
    }

    private static boolean cmpInt(Cmp c, int sign) {
        return switch (c) {
            case EQ -> sign == 0;
            case NE -> sign != 0;
            case LT -> sign < 0;
            case LE -> sign <= 0;
            case GT -> sign > 0;
            default -> sign >= 0;
        };
    }

    /** Ordered comparisons are false when either input is NaN; the U forms are true then. */
    static boolean cmpFloat(Cmp c, float a, float b) {
        boolean nan = a != a || b != b;
        return switch (c) {
            case EQ -> a == b;
            case NE -> !nan && a != b;
            case LT -> a < b;
            case LE -> a <= b;
            case GT -> a > b;
            case GE -> a >= b;
            case EQU -> nan || a == b;
            case NEU -> a != b;
            case LTU -> nan || a < b;
            case LEU -> nan || a <= b;
            case GTU -> nan || a > b;
            case GEU -> nan || a >= b;
            case NUM -> !nan;
            case NAN -> nan;
        };
    }
}

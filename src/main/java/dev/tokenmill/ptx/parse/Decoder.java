package dev.tokenmill.ptx.parse;

import dev.tokenmill.ptx.ir.Cmp;
import dev.tokenmill.ptx.ir.Instr;
import dev.tokenmill.ptx.ir.Op;
import dev.tokenmill.ptx.ir.Param;
import dev.tokenmill.ptx.ir.RegFile;
import dev.tokenmill.ptx.ir.SpecialReg;
import dev.tokenmill.ptx.ir.Type;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one written instruction into an {@link Instr}: the opcode and every modifier are checked against
 * what the interpreter executes (anything else is refused), operands become register offsets, immediates
 * and symbol addresses become constant registers.
 */
final class Decoder {
    private final String module;
    private final Regs regs;
    private final Map<String, Integer> sharedAddr;
    private final Map<String, Param> params;
    private final Map<Instr, String> branchLabels = new HashMap<>();
    private final Map<Instr, Statement> branchStatements = new HashMap<>();

    Decoder(String module, Regs regs, Map<String, Integer> sharedAddr, Map<String, Param> params) {
        this.module = module;
        this.regs = regs;
        this.sharedAddr = sharedAddr;
        this.params = params;
    }

    void resolveLabels(List<Instr> code, Map<String, Integer> labels) {
        Instr last = code.isEmpty() ? null : code.getLast();
        if (last == null || last.guard >= 0 || last.op != Op.EXIT && last.op != Op.BRA || labels.containsValue(code.size())) {
            // Falling off the end of an entry (or branching to a label after its last instruction) is an
            // implicit return; make it explicit.
            code.add(new Instr(Op.EXIT, last == null ? 0 : last.line, "ret (end of entry)"));
        }
        for (var e : branchLabels.entrySet()) {
            Integer pc = labels.get(e.getValue());
            if (pc == null) throw fail(branchStatements.get(e.getKey()), "branch to unknown label " + e.getValue());
            e.getKey().target = pc;
        }
    }

    /** The opcode's dot-separated modifiers, each of which must be consumed by the decoder. */
    private final class Mods {
        final Statement st;
        final String[] parts;
        final boolean[] used;

        Mods(Statement st) {
            this.st = st;
            String[] all = st.opcode().split("\\.", -1);
            parts = new String[all.length - 1];
            System.arraycopy(all, 1, parts, 0, parts.length);
            used = new boolean[parts.length];
        }

        boolean has(String m) {
            for (int k = 0; k < parts.length; k++) {
                if (!used[k] && parts[k].equals(m)) {
                    used[k] = true;
                    return true;
                }
            }
            return false;
        }

        String oneOf(String... options) {
            for (String o : options) if (has(o)) return o;
            return null;
        }

        /** Every type suffix, in order. */
        List<Type> types() {
            List<Type> out = new ArrayList<>();
            for (int k = 0; k < parts.length; k++) {
                Type t = used[k] ? null : Type.of(parts[k]);
                if (t != null) {
                    used[k] = true;
                    out.add(t);
                }
            }
            return out;
        }

        Type type(Type... allowed) {
            List<Type> ts = types();
            if (ts.size() != 1) throw fail(st, "expected one type suffix");
            for (Type a : allowed) if (a == ts.getFirst()) return a;
            throw fail(st, "unsupported type ." + ts.getFirst());
        }

        void done() {
            for (int k = 0; k < parts.length; k++) {
                if (!used[k]) throw fail(st, "unsupported modifier ." + parts[k]);
            }
        }
    }

    Instr decode(Statement st) {
        String base = st.opcode().contains(".") ? st.opcode().substring(0, st.opcode().indexOf('.')) : st.opcode();
        Mods m = new Mods(st);
        Instr in = switch (base) {
            case "add", "sub" -> arith(st, m, base.equals("add"));
            case "mul" -> mul(st, m);
            case "mad" -> mad(st, m);
            case "fma" -> {
                if (!m.has("rn")) throw fail(st, "only fma.rn is supported");
                m.type(Type.F32);
                yield ternary(st, m, Op.FMA_F32, RegFile.R32);
            }
            case "div" -> div(st, m, true);
            case "rem" -> div(st, m, false);
            case "min", "max" -> minMax(st, m, base.equals("min"));
            case "neg", "abs" -> negAbs(st, m, base.equals("neg"));
            case "and", "or", "xor" -> logic(st, m, base);
            case "not" -> not(st, m);
            case "shl", "shr" -> shift(st, m, base.equals("shl"));
            case "bfi" -> {
                m.type(Type.B32);
                m.done();
                need(st, 5);
                Instr i = new Instr(Op.BFI_32, st.line(), st.text());
                i.d = dst(st, 0, RegFile.R32);
                i.a = src(st, 1, Type.B32);
                i.b = src(st, 2, Type.B32);
                i.c = src(st, 3, Type.U32);
                i.e = src(st, 4, Type.U32);
                yield i;
            }
            case "brev", "popc", "clz" -> {
                m.type(Type.B32);
                m.done();
                yield unary(st, base.equals("brev") ? Op.BREV_32 : base.equals("popc") ? Op.POPC_32 : Op.CLZ_32, Type.B32);
            }
            case "bfind" -> {
                boolean shiftamt = m.has("shiftamt");
                Type t = m.type(Type.U32, Type.S32);
                m.done();
                Instr i = unary(st, t == Type.U32 ? Op.BFIND_U32 : Op.BFIND_S32, t);
                i.mode = shiftamt ? 1 : 0;
                yield i;
            }
            case "setp" -> setp(st, m);
            case "selp" -> selp(st, m);
            case "mov" -> mov(st, m);
            case "cvta" -> {
                if (!m.has("to") || !m.has("global")) throw fail(st, "only cvta.to.global is supported (generic addressing is not)");
                m.type(Type.U64);
                m.done();
                yield unary(st, Op.CVTA_GLOBAL, Type.U64);
            }
            case "cvt" -> cvt(st, m);
            case "rcp", "sqrt" -> {
                if (!m.has("rn")) throw fail(st, "only the .rn form is supported");
                m.type(Type.F32);
                m.done();
                yield unary(st, base.equals("rcp") ? Op.RCP_F32 : Op.SQRT_F32, Type.F32);
            }
            case "ex2" -> {
                if (!m.has("approx")) throw fail(st, "only ex2.approx.f32 is supported");
                m.type(Type.F32);
                m.done();
                yield unary(st, Op.EX2_F32, Type.F32);
            }
            case "ld" -> ld(st, m);
            case "st" -> st(st, m);
            case "cp" -> cp(st, m);
            case "ldmatrix" -> ldmatrix(st, m);
            case "mma" -> mma(st, m);
            case "shfl" -> shfl(st, m);
            case "bar", "barrier" -> bar(st, m, base.equals("bar"));
            case "bra" -> {
                boolean uni = m.has("uni");
                m.done();
                need(st, 1);
                if (!(st.operands().getFirst() instanceof Operand.Sym(String label))) throw fail(st, "a branch target must be a label");
                Instr i = new Instr(Op.BRA, st.line(), st.text());
                i.mode = uni ? 1 : 0;
                branchLabels.put(i, label);
                branchStatements.put(i, st);
                yield i;
            }
            case "ret", "exit" -> {
                m.done();
                need(st, 0);
                yield new Instr(Op.EXIT, st.line(), st.text());
            }
            default -> throw fail(st, "unsupported opcode '" + base + "'");
        };
        if (st.guard() != null) {
            Regs.Reg g = regs.lookup(st.guard().name());
            if (g == null || g.file() != RegFile.PRED) throw fail(st, "guard " + st.guard().name() + " is not a predicate register");
            in.guard = g.index();
            in.guardNeg = st.guard().negated();
        }
        return in;
    }

    // ---- arithmetic -------------------------------------------------------------------------------------

    private Instr arith(Statement st, Mods m, boolean add) {
        boolean rn = m.has("rn");
        Type t = m.type(Type.S32, Type.U32, Type.S64, Type.U64, Type.F32);
        m.done();
        if (rn && t != Type.F32) throw fail(st, "unsupported modifier .rn on an integer type");
        return switch (t) {
            case F32 -> binary(st, add ? Op.ADD_F32 : Op.SUB_F32, t);
            case S64, U64 -> binary(st, add ? Op.ADD_64 : Op.SUB_64, t);
            default -> binary(st, add ? Op.ADD_32 : Op.SUB_32, t);
        };
    }

    private Instr mul(Statement st, Mods m) {
        String mode = m.oneOf("lo", "hi", "wide");
        boolean rn = m.has("rn");
        Type t = m.type(Type.S32, Type.U32, Type.S64, Type.U64, Type.F32);
        m.done();
        if (t == Type.F32) {
            if (mode != null) throw fail(st, "unsupported modifier ." + mode + " on mul.f32");
            return binary(st, Op.MUL_F32, t);
        }
        if (mode == null || rn) throw fail(st, "integer mul needs .lo, .hi or .wide");
        boolean wide64 = t.size == 8;
        return switch (mode) {
            case "lo" -> binary(st, wide64 ? Op.MUL_LO_64 : Op.MUL_LO_32, t);
            case "hi" -> {
                if (wide64) throw fail(st, "unsupported mul.hi on 64-bit types");
                yield binary(st, t == Type.S32 ? Op.MUL_HI_S32 : Op.MUL_HI_U32, t);
            }
            default -> {
                if (wide64) throw fail(st, "unsupported mul.wide on 64-bit types");
                Instr i = new Instr(t == Type.S32 ? Op.MUL_WIDE_S32 : Op.MUL_WIDE_U32, st.line(), st.text());
                need(st, 3);
                i.d = dst(st, 0, RegFile.R64);
                i.a = src(st, 1, t);
                i.b = src(st, 2, t);
                yield i;
            }
        };
    }

    private Instr mad(Statement st, Mods m) {
        if (m.has("rn")) {
            m.type(Type.F32);
            m.done();
            return ternary(st, m, Op.FMA_F32, RegFile.R32);
        }
        if (!m.has("lo")) throw fail(st, "only mad.lo and mad.rn.f32 are supported");
        Type t = m.type(Type.S32, Type.U32, Type.S64, Type.U64);
        m.done();
        return ternary(st, m, t.size == 8 ? Op.MAD_LO_64 : Op.MAD_LO_32, t.file());
    }

    private Instr div(Statement st, Mods m, boolean div) {
        boolean rn = m.has("rn");
        Type t = m.type(Type.S32, Type.U32, Type.S64, Type.U64, Type.F32);
        m.done();
        if (t == Type.F32) {
            if (!div || !rn) throw fail(st, "only div.rn.f32 is supported for f32");
            return binary(st, Op.DIV_F32, t);
        }
        if (rn) throw fail(st, "unsupported modifier .rn on an integer type");
        Op op = switch (t) {
            case S32 -> div ? Op.DIV_S32 : Op.REM_S32;
            case U32 -> div ? Op.DIV_U32 : Op.REM_U32;
            case S64 -> div ? Op.DIV_S64 : Op.REM_S64;
            default -> div ? Op.DIV_U64 : Op.REM_U64;
        };
        return binary(st, op, t);
    }

    private Instr minMax(Statement st, Mods m, boolean min) {
        Type t = m.type(Type.S32, Type.U32, Type.S64, Type.U64, Type.F32);
        m.done();
        Op op = switch (t) {
            case S32 -> min ? Op.MIN_S32 : Op.MAX_S32;
            case U32 -> min ? Op.MIN_U32 : Op.MAX_U32;
            case S64 -> min ? Op.MIN_S64 : Op.MAX_S64;
            case U64 -> min ? Op.MIN_U64 : Op.MAX_U64;
            default -> min ? Op.MIN_F32 : Op.MAX_F32;
        };
        return binary(st, op, t);
    }

    private Instr negAbs(Statement st, Mods m, boolean neg) {
        Type t = m.type(Type.S32, Type.F32);
        m.done();
        Op op = t == Type.F32 ? (neg ? Op.NEG_F32 : Op.ABS_F32) : (neg ? Op.NEG_32 : Op.ABS_S32);
        return unary(st, op, t);
    }

    private Instr logic(Statement st, Mods m, String base) {
        Type t = m.type(Type.B32, Type.B64, Type.PRED);
        m.done();
        Op op = switch (t) {
            case PRED -> base.equals("and") ? Op.AND_PRED : base.equals("or") ? Op.OR_PRED : Op.XOR_PRED;
            case B64 -> base.equals("and") ? Op.AND_64 : base.equals("or") ? Op.OR_64 : Op.XOR_64;
            default -> base.equals("and") ? Op.AND_32 : base.equals("or") ? Op.OR_32 : Op.XOR_32;
        };
        return binary(st, op, t);
    }

    private Instr not(Statement st, Mods m) {
        Type t = m.type(Type.B32, Type.B64, Type.PRED);
        m.done();
        return unary(st, t == Type.PRED ? Op.NOT_PRED : t == Type.B64 ? Op.NOT_64 : Op.NOT_32, t);
    }

    private Instr shift(Statement st, Mods m, boolean left) {
        Type t = m.type(Type.B32, Type.U32, Type.S32, Type.B64, Type.U64, Type.S64);
        m.done();
        if (left && t.isSigned()) throw fail(st, "shl takes a .b type");
        Op op = t.size == 8
                ? (left ? Op.SHL_64 : t == Type.S64 ? Op.SHR_S64 : Op.SHR_U64)
                : (left ? Op.SHL_32 : t == Type.S32 ? Op.SHR_S32 : Op.SHR_U32);
        need(st, 3);
        Instr i = new Instr(op, st.line(), st.text());
        i.d = dst(st, 0, t.file());
        i.a = src(st, 1, t);
        i.b = src(st, 2, Type.U32); // shift amounts are .u32 for every width
        return i;
    }

    private Instr setp(Statement st, Mods m) {
        String c = m.oneOf("eq", "ne", "lt", "le", "gt", "ge", "lo", "ls", "hi", "hs",
                "equ", "neu", "ltu", "leu", "gtu", "geu", "num", "nan");
        if (c == null) throw fail(st, "setp needs a comparison");
        String bop = m.oneOf("and", "or", "xor");
        Type t = m.type(Type.B32, Type.S32, Type.U32, Type.B64, Type.S64, Type.U64, Type.F32);
        m.done();
        boolean flt = t == Type.F32;
        Cmp cmp = switch (c) {
            case "lo" -> Cmp.LT;
            case "ls" -> Cmp.LE;
            case "hi" -> Cmp.GT;
            case "hs" -> Cmp.GE;
            default -> Cmp.valueOf(c.toUpperCase());
        };
        boolean floatOnly = cmp.ordinal() >= Cmp.EQU.ordinal();
        boolean unsignedOnly = c.equals("lo") || c.equals("ls") || c.equals("hi") || c.equals("hs");
        if (floatOnly && !flt) throw fail(st, "comparison ." + c + " needs a float type");
        if (unsignedOnly && (flt || t.isSigned())) throw fail(st, "comparison ." + c + " needs an unsigned type");
        if (t.kind == Type.Kind.BITS && cmp != Cmp.EQ && cmp != Cmp.NE) throw fail(st, "comparison ." + c + " on a .b type");
        Op op = flt ? Op.SETP_F32 : t.size == 8 ? (t.isSigned() ? Op.SETP_S64 : Op.SETP_U64)
                : (t.isSigned() ? Op.SETP_S32 : Op.SETP_U32);
        Instr i = new Instr(op, st.line(), st.text());
        i.cmp = cmp;
        List<Operand> ops = st.operands();
        int expected = bop == null ? 3 : 4;
        need(st, expected);
        if (ops.getFirst() instanceof Operand.Pair(Operand.Reg pv, Operand.Reg pq)) {
            i.d = predReg(st, pv);
            i.d2 = predReg(st, pq);
        } else {
            i.d = dst(st, 0, RegFile.PRED);
        }
        i.a = src(st, 1, t);
        i.b = src(st, 2, t);
        if (bop != null) {
            i.bop = bop.equals("and") ? 1 : bop.equals("or") ? 2 : 3;
            Operand co = ops.get(3);
            i.cNeg = co instanceof Operand.Reg r && r.negated();
            i.c = predSrc(st, co);
        }
        return i;
    }

    private Instr selp(Statement st, Mods m) {
        Type t = m.type(Type.B32, Type.S32, Type.U32, Type.F32, Type.B64, Type.S64, Type.U64);
        m.done();
        need(st, 4);
        Instr i = new Instr(t.size == 8 ? Op.SELP_64 : Op.SELP_32, st.line(), st.text());
        i.d = dst(st, 0, t.file());
        i.a = src(st, 1, t);
        i.b = src(st, 2, t);
        i.c = predSrc(st, st.operands().get(3));
        return i;
    }

    private Instr mov(Statement st, Mods m) {
        Type t = m.type(Type.PRED, Type.B16, Type.U16, Type.S16, Type.B32, Type.U32, Type.S32, Type.F32,
                Type.B64, Type.U64, Type.S64);
        m.done();
        need(st, 2);
        Operand d = st.operands().get(0), s = st.operands().get(1);
        if (t == Type.PRED) {
            Instr i = new Instr(Op.MOV_PRED, st.line(), st.text());
            i.d = dst(st, 0, RegFile.PRED);
            i.a = predSrc(st, s);
            return i;
        }
        if (s instanceof Operand.Vec v) { // pack halves, low element first
            if (v.elems().size() != 2 || t.size == 2) throw fail(st, "unsupported vector mov");
            Type half = t.size == 8 ? Type.B32 : Type.B16;
            Instr i = new Instr(t.size == 8 ? Op.PACK_32X2 : Op.PACK_16X2, st.line(), st.text());
            i.d = dst(st, 0, t.file());
            i.a = operand32or64(st, v.elems().get(0), half);
            i.b = operand32or64(st, v.elems().get(1), half);
            return i;
        }
        if (d instanceof Operand.Vec v) { // unpack
            if (v.elems().size() != 2 || t.size == 2) throw fail(st, "unsupported vector mov");
            Instr i = new Instr(t.size == 8 ? Op.UNPACK_32X2 : Op.UNPACK_16X2, st.line(), st.text());
            i.dv = new int[] {reg(st, v.elems().get(0), RegFile.R32), reg(st, v.elems().get(1), RegFile.R32)};
            i.a = src(st, 1, t);
            return i;
        }
        return unary(st, t.size == 8 ? Op.MOV_64 : Op.MOV_32, t);
    }

    private Instr cvt(Statement st, Mods m) {
        String rnd = m.oneOf("rn", "rz", "rm", "rp", "rni", "rzi", "rmi", "rpi");
        List<Type> ts = m.types();
        m.done(); // .ftz, .sat, .relu, .satfinite are refused here
        if (ts.size() != 2) throw fail(st, "cvt needs a destination and a source type");
        Type dt = ts.get(0), sType = ts.get(1);
        if (dt.isInteger() && sType.isInteger()) {
            if (rnd != null) throw fail(st, "unsupported rounding ." + rnd + " on an integer conversion");
            need(st, 2);
            Regs.Reg dr = regOf(st, st.operands().get(0));
            Regs.Reg sr = st.operands().get(1) instanceof Operand.Reg r ? regOf(st, r) : null;
            boolean srcWide = sr != null && sr.file() == RegFile.R64;
            boolean dstWide = dr.file() == RegFile.R64;
            Op op;
            if (dt.size == 8 && sType == Type.S32 && !srcWide) op = Op.CVT_S64_S32;
            else if (dt.size == 8 && sType == Type.U32 && !srcWide) op = Op.CVT_U64_U32;
            else if (dt.size == 4 && sType.size == 8 && !dstWide) op = Op.CVT_U32_U64;
            else op = Op.CVT_INT;
            Instr i = new Instr(op, st.line(), st.text());
            i.srcType = sType;
            i.dstType = dt;
            i.d = dr.index() * 32;
            i.wideReg = dstWide;
            i.wideAddr = srcWide || sr == null && sType.size == 8; // for CVT_INT: which file the source is in
            i.a = srcWide ? sr.index() * 32 : sType.size == 8 ? src(st, 1, Type.U64) : src(st, 1, Type.U32);
            if (dr.file() == RegFile.PRED) throw fail(st, "cvt into a predicate");
            if (dt.size == 8 && !dstWide) throw fail(st, "a 64-bit conversion result needs a 64-bit register");
            return i;
        }
        if (dt == Type.F32 && (sType == Type.S32 || sType == Type.U32)) {
            if (!"rn".equals(rnd)) throw fail(st, "only .rn integer-to-f32 conversions are supported");
            return unary(st, sType == Type.S32 ? Op.CVT_F32_S32 : Op.CVT_F32_U32, sType);
        }
        if (sType == Type.F32 && (dt == Type.F16 || dt == Type.BF16 || dt == Type.F16X2 || dt == Type.BF16X2)) {
            if (!"rn".equals(rnd)) throw fail(st, "only .rn conversions to f16/bf16 are supported");
            if (dt == Type.F16X2 || dt == Type.BF16X2) {
                need(st, 3);
                Instr i = new Instr(dt == Type.F16X2 ? Op.CVT_F16X2_F32 : Op.CVT_BF16X2_F32, st.line(), st.text());
                i.d = dst(st, 0, RegFile.R32);
                i.a = src(st, 1, Type.F32);
                i.b = src(st, 2, Type.F32);
                return i;
            }
            return unary(st, dt == Type.F16 ? Op.CVT_F16_F32 : Op.CVT_BF16_F32, Type.F32);
        }
        if (dt == Type.F32 && (sType == Type.F16 || sType == Type.BF16)) {
            if (rnd != null) throw fail(st, "widening to f32 is exact: unsupported rounding ." + rnd);
            return unary(st, sType == Type.F16 ? Op.CVT_F32_F16 : Op.CVT_F32_BF16, Type.B16);
        }
        throw fail(st, "unsupported conversion cvt." + dt + "." + sType);
    }

    // ---- memory -----------------------------------------------------------------------------------------

    private Instr ld(Statement st, Mods m) {
        String space = m.oneOf("param", "global", "shared");
        if (space == null) throw fail(st, "only ld.param, ld.global and ld.shared are supported (generic addressing is not)");
        m.has("shared::cta");
        boolean nc = m.has("nc");
        m.oneOf("ca", "cg", "cs", "lu", "cv"); // cache operators are performance hints
        int vec = vec(m);
        Type t = m.type(Type.B8, Type.U8, Type.S8, Type.B16, Type.U16, Type.S16, Type.B32, Type.U32, Type.S32,
                Type.F32, Type.B64, Type.U64, Type.S64);
        m.done();
        if (nc && !space.equals("global")) throw fail(st, ".nc applies to ld.global only");
        need(st, 2);
        Op op = switch (space) {
            case "param" -> Op.LD_PARAM;
            case "global" -> Op.LD_GLOBAL;
            default -> Op.LD_SHARED;
        };
        Instr i = new Instr(op, st.line(), st.text());
        i.size = t.size;
        i.vec = vec;
        i.signed = t.isSigned();
        int[] dv = new int[vec];
        Operand d = st.operands().get(0);
        List<Operand> dEl = vec == 1 ? List.of(d) : vecElems(st, d, vec);
        boolean wide = false;
        for (int k = 0; k < vec; k++) {
            Regs.Reg r = regOf(st, dEl.get(k));
            if (r.file() == RegFile.PRED) throw fail(st, "load into a predicate");
            if (t.size == 8 && r.file() != RegFile.R64) throw fail(st, "a 64-bit load needs a 64-bit register");
            if (k > 0 && wide != (r.file() == RegFile.R64)) throw fail(st, "mixed register widths in a vector load");
            wide = r.file() == RegFile.R64;
            dv[k] = r.index() * 32;
        }
        i.dv = dv;
        i.wideReg = wide;
        address(st, i, st.operands().get(1), space);
        return i;
    }

    private Instr st(Statement st, Mods m) {
        String space = m.oneOf("global", "shared");
        if (space == null) throw fail(st, "only st.global and st.shared are supported (generic addressing is not)");
        m.has("shared::cta");
        m.oneOf("wb", "cg", "cs", "wt");
        int vec = vec(m);
        Type t = m.type(Type.B8, Type.U8, Type.S8, Type.B16, Type.U16, Type.S16, Type.B32, Type.U32, Type.S32,
                Type.F32, Type.B64, Type.U64, Type.S64);
        m.done();
        need(st, 2);
        Instr i = new Instr(space.equals("global") ? Op.ST_GLOBAL : Op.ST_SHARED, st.line(), st.text());
        i.size = t.size;
        i.vec = vec;
        Operand s = st.operands().get(1);
        List<Operand> sEl = vec == 1 ? List.of(s) : vecElems(st, s, vec);
        int[] av = new int[vec];
        boolean wide = t.size == 8;
        for (int k = 0; k < vec; k++) {
            Operand o = sEl.get(k);
            if (o instanceof Operand.Reg r && regOf(st, r).file() == RegFile.R64 && t.size < 8) {
                throw fail(st, "storing part of a 64-bit register is not supported");
            }
            av[k] = wide ? operand32or64(st, o, Type.B64) : operand32or64(st, o, Type.B32);
        }
        i.av = av;
        i.wideReg = wide;
        address(st, i, st.operands().getFirst(), space);
        return i;
    }

    private Instr cp(Statement st, Mods m) {
        if (!m.has("async")) throw fail(st, "only cp.async is supported");
        if (m.has("commit_group")) {
            m.done();
            need(st, 0);
            return new Instr(Op.CP_ASYNC_COMMIT, st.line(), st.text());
        }
        if (m.has("wait_group") || m.has("wait_all")) {
            boolean all = st.opcode().endsWith("wait_all");
            m.done();
            Instr i = new Instr(Op.CP_ASYNC_WAIT, st.line(), st.text());
            if (all) {
                need(st, 0);
                i.mode = 1;
            } else {
                need(st, 1);
                if (!(st.operands().getFirst() instanceof Operand.Imm(long n, Token.Kind k)) || k != Token.Kind.INT) {
                    throw fail(st, "wait_group needs an integer constant");
                }
                i.imm = n;
            }
            return i;
        }
        String cache = m.oneOf("ca", "cg");
        if (cache == null) throw fail(st, "cp.async needs .ca or .cg");
        if (!m.has("shared") && !m.has("shared::cta")) throw fail(st, "cp.async copies into .shared");
        if (!m.has("global")) throw fail(st, "cp.async copies from .global");
        m.done();
        List<Operand> ops = st.operands();
        if (ops.size() != 3 && ops.size() != 4) throw fail(st, "cp.async takes [dst], [src], cp-size{, src-size}");
        if (!(ops.get(2) instanceof Operand.Imm(long size, Token.Kind k)) || k != Token.Kind.INT
                || !(size == 4 || size == 8 || size == 16) || cache.equals("cg") && size != 16) {
            throw fail(st, "cp-size must be 4, 8 or 16 (16 for .cg)");
        }
        Instr i = new Instr(Op.CP_ASYNC, st.line(), st.text());
        i.size = (int) size;
        // source global address -> b + imm2, destination shared address -> a + imm
        address(st, i, ops.get(1), "global");
        i.b = i.a;
        i.imm2 = i.imm;
        address(st, i, ops.get(0), "shared");
        if (ops.size() == 4) {
            if (ops.get(3) instanceof Operand.Reg r && regOf(st, r).file() == RegFile.PRED) {
                throw fail(st, "the ignore-src predicate form of cp.async is not supported");
            }
            i.c = src(st, 3, Type.U32);
        } else {
            i.c = regs.const32(size) * 32;
        }
        return i;
    }

    private Instr ldmatrix(Statement st, Mods m) {
        if (!m.has("sync") || !m.has("aligned") || !m.has("m8n8")) throw fail(st, "only ldmatrix.sync.aligned.m8n8 is supported");
        String num = m.oneOf("x1", "x2", "x4");
        if (num == null) throw fail(st, "ldmatrix needs .x1, .x2 or .x4");
        boolean trans = m.has("trans");
        if (!m.has("shared") && !m.has("shared::cta")) throw fail(st, "only ldmatrix from .shared is supported (generic addressing is not)");
        m.type(Type.B16);
        m.done();
        need(st, 2);
        int n = num.charAt(1) - '0';
        Instr i = new Instr(Op.LDMATRIX, st.line(), st.text());
        i.vec = n;
        i.mode = trans ? 1 : 0;
        i.dv = regVec(st, st.operands().get(0), n, RegFile.R32);
        address(st, i, st.operands().get(1), "shared");
        return i;
    }

    private Instr mma(Statement st, Mods m) {
        if (!m.has("sync") || !m.has("aligned") || !m.has("m16n8k16") || !m.has("row") || !m.has("col")) {
            throw fail(st, "only mma.sync.aligned.m16n8k16.row.col is supported");
        }
        List<Type> ts = m.types();
        m.done();
        if (ts.size() != 4 || ts.get(0) != Type.F32 || ts.get(3) != Type.F32 || ts.get(1) != ts.get(2)
                || (ts.get(1) != Type.F16 && ts.get(1) != Type.BF16)) {
            throw fail(st, "only .f32.f16.f16.f32 and .f32.bf16.bf16.f32 are supported");
        }
        need(st, 4);
        Instr i = new Instr(ts.get(1) == Type.F16 ? Op.MMA_F16 : Op.MMA_BF16, st.line(), st.text());
        i.dv = regVec(st, st.operands().get(0), 4, RegFile.R32);
        i.av = regVec(st, st.operands().get(1), 4, RegFile.R32);
        i.bv = regVec(st, st.operands().get(2), 2, RegFile.R32);
        i.cv = regVec(st, st.operands().get(3), 4, RegFile.R32);
        return i;
    }

    private Instr shfl(Statement st, Mods m) {
        if (!m.has("sync")) throw fail(st, "only shfl.sync is supported");
        String mode = m.oneOf("up", "down", "bfly", "idx");
        if (mode == null) throw fail(st, "shfl needs a mode");
        m.type(Type.B32);
        m.done();
        need(st, 5);
        Instr i = new Instr(Op.SHFL, st.line(), st.text());
        i.mode = switch (mode) {
            case "up" -> 0;
            case "down" -> 1;
            case "bfly" -> 2;
            default -> 3;
        };
        if (st.operands().getFirst() instanceof Operand.Pair(Operand.Reg v, Operand.Reg q)) {
            i.d = reg(st, v, RegFile.R32);
            i.d2 = predReg(st, q);
        } else {
            i.d = dst(st, 0, RegFile.R32);
        }
        i.a = src(st, 1, Type.B32);
        i.b = src(st, 2, Type.B32);
        i.c = src(st, 3, Type.B32);
        i.e = src(st, 4, Type.B32);
        return i;
    }

    private Instr bar(Statement st, Mods m, boolean bar) {
        m.has("cta");
        if (!m.has("sync")) throw fail(st, "only bar.sync / barrier.sync is supported");
        if (!bar) m.has("aligned");
        m.done();
        if (st.operands().size() != 1) throw fail(st, "a barrier thread count is not supported");
        if (!(st.operands().getFirst() instanceof Operand.Imm(long id, Token.Kind k)) || k != Token.Kind.INT || id < 0 || id > 15) {
            throw fail(st, "the barrier must be a constant 0..15");
        }
        Instr i = new Instr(Op.BAR_SYNC, st.line(), st.text());
        i.imm = id;
        return i;
    }

    private int vec(Mods m) {
        String v = m.oneOf("v2", "v4");
        return v == null ? 1 : v.charAt(1) - '0';
    }

    /** Memory operand: sets {@code a} (address register), {@code imm} (offset) and {@code wideAddr}. */
    private void address(Statement st, Instr i, Operand o, String space) {
        if (!(o instanceof Operand.Addr(Operand base, long off))) throw fail(st, "expected an address [..]");
        if (space.equals("param")) {
            if (!(base instanceof Operand.Sym(String name)) || !params.containsKey(name)) {
                throw fail(st, "ld.param needs [parameter+offset]");
            }
            Param prm = params.get(name);
            if (off < 0 || off + (long) i.size * i.vec > prm.size()) throw fail(st, "read past parameter " + name);
            i.imm = prm.offset() + off;
            return;
        }
        i.imm = off;
        i.wideAddr = false;
        switch (base) {
            case Operand.Reg r -> {
                Regs.Reg reg = regOf(st, r);
                if (reg.file() == RegFile.PRED) throw fail(st, "a predicate used as an address");
                if (space.equals("global") && reg.file() != RegFile.R64) throw fail(st, "a global address must be a 64-bit register");
                i.a = reg.index() * 32;
                i.wideAddr = reg.file() == RegFile.R64;
            }
            case Operand.Sym(String name) -> {
                Integer addr = sharedAddr.get(name);
                if (addr == null || !space.equals("shared")) throw fail(st, "unknown or unsupported variable " + name);
                i.a = regs.const32(addr) * 32;
            }
            case null -> {
                if (space.equals("global")) {
                    i.a = regs.const64(0) * 32;
                    i.wideAddr = true;
                } else {
                    i.a = regs.const32(0) * 32;
                }
            }
            default -> throw fail(st, "malformed address");
        }
    }

    // ---- operands ---------------------------------------------------------------------------------------

    private Instr unary(Statement st, Op op, Type t) {
        need(st, 2);
        Instr i = new Instr(op, st.line(), st.text());
        i.d = dst(st, 0, destFile(op, t));
        i.a = src(st, 1, t);
        return i;
    }

    private Instr binary(Statement st, Op op, Type t) {
        need(st, 3);
        Instr i = new Instr(op, st.line(), st.text());
        i.d = dst(st, 0, t.file());
        i.a = src(st, 1, t);
        i.b = src(st, 2, t);
        return i;
    }

    private Instr ternary(Statement st, Mods m, Op op, RegFile f) {
        need(st, 4);
        Type t = f == RegFile.R64 ? Type.B64 : Type.B32;
        Instr i = new Instr(op, st.line(), st.text());
        i.d = dst(st, 0, f);
        i.a = src(st, 1, op == Op.FMA_F32 ? Type.F32 : t);
        i.b = src(st, 2, op == Op.FMA_F32 ? Type.F32 : t);
        i.c = src(st, 3, op == Op.FMA_F32 ? Type.F32 : t);
        return i;
    }

    /** The register file an op writes: conversions and bit queries change width, the rest follow the type. */
    private static RegFile destFile(Op op, Type t) {
        return switch (op) {
            case BFIND_U32, BFIND_S32, CVT_F32_S32, CVT_F32_U32, CVT_F16_F32, CVT_BF16_F32, CVT_F32_F16,
                 CVT_F32_BF16 -> RegFile.R32;
            default -> t.file();
        };
    }

    private void need(Statement st, int n) {
        if (st.operands().size() != n) throw fail(st, "expected " + n + " operands, found " + st.operands().size());
    }

    private int dst(Statement st, int k, RegFile f) {
        return reg(st, st.operands().get(k), f);
    }

    private int reg(Statement st, Operand o, RegFile f) {
        Regs.Reg r = regOf(st, o);
        if (r.file() != f) throw fail(st, "register " + ((Operand.Reg) o).name() + " has the wrong width for this instruction");
        return f == RegFile.PRED ? r.index() : r.index() * 32;
    }

    private int predReg(Statement st, Operand.Reg o) {
        return reg(st, o, RegFile.PRED);
    }

    private Regs.Reg regOf(Statement st, Operand o) {
        if (!(o instanceof Operand.Reg(String name, boolean neg))) throw fail(st, "expected a register");
        Regs.Reg r = regs.lookup(name);
        if (r == null) throw fail(st, "undeclared register " + name);
        return r;
    }

    private int[] regVec(Statement st, Operand o, int n, RegFile f) {
        List<Operand> el = vecElems(st, o, n);
        int[] out = new int[n];
        for (int k = 0; k < n; k++) out[k] = reg(st, el.get(k), f);
        return out;
    }

    private List<Operand> vecElems(Statement st, Operand o, int n) {
        if (!(o instanceof Operand.Vec(List<Operand> el)) || el.size() != n) throw fail(st, "expected a vector of " + n);
        return el;
    }

    private int src(Statement st, int k, Type t) {
        return operand32or64(st, st.operands().get(k), t);
    }

    /** A source operand of type t: a register of t's file, a special register, an immediate, or a shared variable. */
    private int operand32or64(Statement st, Operand o, Type t) {
        RegFile f = t.file();
        return switch (o) {
            case Operand.Reg r -> {
                SpecialReg s = SpecialReg.of(r.name());
                if (s != null) {
                    if (f != RegFile.R32) throw fail(st, "special register " + r.name() + " is 32-bit");
                    yield regs.special(s) * 32;
                }
                if (regs.lookup(r.name()) == null) throw fail(st, "undeclared or unsupported register " + r.name());
                yield reg(st, r, f);
            }
            case Operand.Imm imm -> {
                long v = immediate(st, imm, t);
                yield switch (f) {
                    case R32 -> regs.const32(v) * 32;
                    case R64 -> regs.const64(v) * 32;
                    case PRED -> throw fail(st, "an immediate where a predicate is expected");
                };
            }
            case Operand.Sym(String name) -> {
                Integer addr = sharedAddr.get(name);
                if (addr == null) throw fail(st, "unknown or unsupported symbol " + name);
                yield f == RegFile.R64 ? regs.const64(addr) * 32 : regs.const32(addr) * 32;
            }
            default -> throw fail(st, "unsupported operand form");
        };
    }

    private int predSrc(Statement st, Operand o) {
        if (o instanceof Operand.Imm(long v, Token.Kind k) && k == Token.Kind.INT && (v == 0 || v == 1)) {
            return regs.constPred(v == 1);
        }
        if (!(o instanceof Operand.Reg r)) throw fail(st, "expected a predicate");
        return reg(st, new Operand.Reg(r.name(), false), RegFile.PRED);
    }

    private long immediate(Statement st, Operand.Imm imm, Type t) {
        if (t == Type.F32) {
            return switch (imm.kind()) {
                case F32 -> imm.value();
                case F64 -> Float.floatToRawIntBits((float) Double.longBitsToDouble(imm.value()));
                default -> Float.floatToRawIntBits((float) imm.value());
            };
        }
        if (imm.kind() != Token.Kind.INT) throw fail(st, "a float literal where an integer is expected");
        return imm.value();
    }

    private PtxLoadException fail(Statement st, String why) {
        return new PtxLoadException(module, st.line(), "cannot load '" + st.text() + "': " + why);
    }
}

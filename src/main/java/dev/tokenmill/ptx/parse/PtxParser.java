package dev.tokenmill.ptx.parse;

import dev.tokenmill.ptx.ir.Instr;
import dev.tokenmill.ptx.ir.Param;
import dev.tokenmill.ptx.ir.Program;
import dev.tokenmill.ptx.ir.Type;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses a PTX module into decoded {@link Program}s, one per {@code .entry}. Refuses, with file and line,
 * anything it does not execute exactly: {@code .func}, {@code .global}/{@code .const}/{@code .local}
 * variables, unknown directives, opcodes, modifiers and operand forms.
 */
public final class PtxParser {
    /** The parsed module: header directives and entries in file order. */
    public record Parsed(String version, String target, int addressSize, List<Program> entries) {}

    /** A shared variable: its offset in the CTA's window, or dynamic (placed after the statics). */
    record SharedVar(String name, int offset, int size, int align, boolean dynamic) {}

    private final String module;
    private final String[] lines;
    private final List<Token> toks;
    private final boolean packRegisters;
    private int p;
    private final List<SharedVar> moduleShared = new ArrayList<>();

    private PtxParser(String module, String text, boolean packRegisters) {
        this.module = module;
        this.lines = text.split("\n", -1);
        this.toks = Lexer.tokens(module, text);
        this.packRegisters = packRegisters;
    }

    /**
     * Parses and decodes {@code text}; with {@code packRegisters}, registers whose live ranges do not overlap share
     * slots of the warp's register file ({@link RegisterPacking}), else each declared register has its own.
     */
    public static Parsed parse(String module, String text, boolean packRegisters) {
        return new PtxParser(module, text, packRegisters).module();
    }

    private Parsed module() {
        String version = null, target = null;
        int addressSize = 64;
        List<Program> entries = new ArrayList<>();
        while (peek().kind() != Token.Kind.END) {
            Token t = next();
            switch (t.text()) {
                case ".version" -> {
                    Token v = next();
                    version = v.text();
                }
                case ".target" -> {
                    StringBuilder sb = new StringBuilder(next().text());
                    while (peek().is(',')) {
                        next();
                        sb.append(',').append(next().text());
                    }
                    target = sb.toString();
                }
                case ".address_size" -> {
                    addressSize = (int) expect(Token.Kind.INT).value();
                    if (addressSize != 64) throw fail(t, "only .address_size 64 is supported");
                }
                case ".visible", ".weak" -> {
                    Token k = next();
                    if (!k.isWord(".entry")) throw fail(k, "unsupported module-level declaration '" + line(k) + "'");
                    entries.add(entry());
                }
                case ".entry" -> entries.add(entry());
                case ".extern", ".shared" -> moduleShared(t);
                default -> throw fail(t, "unsupported module-level directive '" + line(t) + "'");
            }
        }
        if (addressSize != 64) throw fail(peek(), "only .address_size 64 is supported");
        return new Parsed(version, target, addressSize, entries);
    }

    private void moduleShared(Token first) {
        boolean extern = first.isWord(".extern");
        if (extern) {
            Token s = next();
            if (!s.isWord(".shared")) throw fail(s, "unsupported module-level declaration '" + line(s) + "'");
        }
        moduleShared.add(sharedDecl(first, extern));
    }

    /** After {@code .shared}: {@code [.align N] .type name[N]...;} */
    private SharedVar sharedDecl(Token at, boolean extern) {
        Declared d = declared(".shared declaration");
        long count = 1;
        boolean unsized = false;
        while (peek().is('[')) {
            next();
            if (peek().is(']')) {
                unsized = true;
            } else {
                count *= expect(Token.Kind.INT).value();
            }
            expectPunct(']');
        }
        expectPunct(';');
        if (unsized != extern) throw fail(at, "a .shared array must be sized unless it is .extern (dynamic): '" + line(at) + "'");
        return new SharedVar(d.name, 0, (int) (count * d.type.size), d.align, extern);
    }

    /** A declared variable's {@code [.align N] .type name}; the alignment defaults to the type's size. */
    private record Declared(int align, Type type, String name) {}

    /** Reads {@code [.align N] .type name}; {@code what} names the declaration in the error for another type. */
    private Declared declared(String what) {
        int align = 0;
        if (peek().isWord(".align")) {
            next();
            align = (int) expect(Token.Kind.INT).value();
        }
        Token typeTok = next();
        Type type = typeTok.text().startsWith(".") ? Type.of(typeTok.text().substring(1)) : null;
        if (type == null || type == Type.PRED) throw fail(typeTok, "unsupported " + what + " '" + line(typeTok) + "'");
        return new Declared(align == 0 ? type.size : align, type, next().text());
    }

    private Program entry() {
        Token nameTok = next();
        String name = nameTok.text();
        List<Param> params = new ArrayList<>();
        int paramBytes = 0;
        expectPunct('(');
        while (!peek().is(')')) {
            Token d = next();
            if (!d.isWord(".param")) throw fail(d, "unsupported entry parameter '" + line(d) + "'");
            Declared decl = declared("parameter type");
            long count = 1;
            while (peek().is('[')) {
                next();
                count *= expect(Token.Kind.INT).value();
                expectPunct(']');
            }
            paramBytes = (paramBytes + decl.align - 1) / decl.align * decl.align;
            params.add(new Param(decl.name, decl.type, paramBytes, (int) (count * decl.type.size), decl.align));
            paramBytes += (int) (count * decl.type.size);
            if (peek().is(',')) next();
        }
        expectPunct(')');
        int[] maxThreads = null, reqThreads = null;
        while (!peek().is('{')) {
            Token d = next();
            switch (d.text()) {
                case ".maxntid" -> maxThreads = dims();
                case ".reqntid" -> {
                    reqThreads = dims();
                    maxThreads = reqThreads;
                }
                case ".minnctapersm", ".maxnreg" -> expect(Token.Kind.INT);
                default -> throw fail(d, "unsupported entry directive '" + line(d) + "'");
            }
        }
        int bodyStart = p;
        // Shared layout first (statics in declaration order, then the dynamic window), so that symbol
        // addresses are constants when instructions are decoded.
        Map<String, Integer> sharedAddr = new HashMap<>();
        int staticEnd = 0, dynAlign = 16;
        List<SharedVar> vars = new ArrayList<>(moduleShared);
        vars.addAll(scanShared());
        for (SharedVar v : vars) {
            if (v.dynamic()) {
                dynAlign = Math.max(dynAlign, v.align());
                continue;
            }
            staticEnd = (staticEnd + v.align() - 1) / v.align() * v.align();
            sharedAddr.put(v.name(), staticEnd);
            staticEnd += v.size();
        }
        int dynBase = (staticEnd + dynAlign - 1) / dynAlign * dynAlign;
        for (SharedVar v : vars) if (v.dynamic()) sharedAddr.put(v.name(), dynBase);
        p = bodyStart;

        Map<String, Param> paramsByName = new LinkedHashMap<>();
        for (Param prm : params) paramsByName.put(prm.name(), prm);
        Regs regs = new Regs();
        Decoder dec = new Decoder(module, regs, sharedAddr, paramsByName);
        List<Instr> code = new ArrayList<>();
        Map<String, Integer> labels = new HashMap<>();
        body(regs, dec, code, labels);
        dec.resolveLabels(code, labels);
        Program program = new Program(module, name, code.toArray(Instr[]::new), regs.r32Count(), regs.r64Count(),
                regs.predCount(), regs.const32Pairs(), regs.const64Pairs(), regs.constPredPairs(), regs.specialSlots(),
                regs.specialKinds(), List.copyOf(params), paramBytes, staticEnd, dynBase, maxThreads, reqThreads);
        return packRegisters ? RegisterPacking.pack(program) : program;
    }

    private int[] dims() {
        int[] d = {1, 1, 1};
        d[0] = (int) expect(Token.Kind.INT).value();
        for (int k = 1; k < 3 && peek().is(','); k++) {
            next();
            d[k] = (int) expect(Token.Kind.INT).value();
        }
        return d;
    }

    /** Finds the entry's {@code .shared} declarations (at any scope depth) without consuming the body. */
    private List<SharedVar> scanShared() {
        List<SharedVar> out = new ArrayList<>();
        expectPunct('{');
        int depth = 1;
        while (depth > 0) {
            Token t = next();
            if (t.kind() == Token.Kind.END) throw fail(t, "unterminated entry body");
            if (t.is('{')) depth++;
            else if (t.is('}')) depth--;
            else if (t.isWord(".shared")) out.add(sharedDecl(t, false));
        }
        return out;
    }

    private void body(Regs regs, Decoder dec, List<Instr> code, Map<String, Integer> labels) {
        expectPunct('{');
        int depth = 1;
        while (true) {
            Token t = peek();
            if (t.kind() == Token.Kind.END) throw fail(t, "unterminated entry body");
            if (t.is('{')) {
                next();
                regs.open();
                depth++;
                continue;
            }
            if (t.is('}')) {
                next();
                if (--depth == 0) return;
                regs.close();
                continue;
            }
            if (t.is(';')) {
                next();
                continue;
            }
            if (t.isWord(".reg")) {
                next();
                regDecl(regs);
                continue;
            }
            if (t.isWord(".shared")) {
                next();
                sharedDecl(t, false); // laid out by scanShared
                continue;
            }
            if (t.kind() == Token.Kind.WORD && !t.text().startsWith("%") && p + 1 < toks.size()
                    && toks.get(p + 1).is(':')) {
                next();
                next();
                if (labels.put(t.text(), code.size()) != null) throw fail(t, "label " + t.text() + " defined twice");
                continue;
            }
            if (t.isWord(".pragma") && toks.get(p + 1).kind() == Token.Kind.STRING
                    && toks.get(p + 1).text().equals("nounroll")) {
                next();
                next(); // an optimisation hint for ptxas, no semantics
                continue;
            }
            if (t.kind() == Token.Kind.WORD && t.text().startsWith(".")) {
                throw fail(t, "unsupported directive '" + line(t) + "'");
            }
            code.add(dec.decode(statement()));
        }
    }

    private void regDecl(Regs regs) {
        Token typeTok = next();
        if (typeTok.text().startsWith(".v")) throw fail(typeTok, "vector register declarations are not supported: '" + line(typeTok) + "'");
        Type type = typeTok.text().startsWith(".") ? Type.of(typeTok.text().substring(1)) : null;
        if (type == null || type == Type.F64) throw fail(typeTok, "unsupported register type '" + line(typeTok) + "'");
        while (true) {
            Token n = next();
            if (n.kind() != Token.Kind.WORD) throw fail(n, "expected a register name in '" + line(n) + "'");
            if (peek().is('<')) {
                next();
                long count = expect(Token.Kind.INT).value();
                expectPunct('>');
                for (int k = 0; k < count; k++) regs.declare(n.text() + k, type);
            } else {
                regs.declare(n.text(), type);
            }
            if (peek().is(',')) {
                next();
                continue;
            }
            expectPunct(';');
            return;
        }
    }

    private Statement statement() {
        Token first = peek();
        Operand.Reg guard = null;
        if (first.is('@')) {
            next();
            boolean neg = false;
            if (peek().is('!')) {
                next();
                neg = true;
            }
            Token g = next();
            if (g.kind() != Token.Kind.WORD || !g.text().startsWith("%")) throw fail(g, "malformed guard in '" + line(g) + "'");
            guard = new Operand.Reg(g.text(), neg);
        }
        Token op = next();
        if (op.kind() != Token.Kind.WORD) throw fail(op, "expected an instruction in '" + line(op) + "'");
        List<Operand> ops = new ArrayList<>();
        if (!peek().is(';')) {
            ops.add(operand(op));
            while (peek().is(',')) {
                next();
                ops.add(operand(op));
            }
        }
        expectPunct(';');
        return new Statement(guard, op.text(), ops, first.line(), line(first));
    }

    private Operand operand(Token at) {
        Token t = peek();
        if (t.is('[')) {
            next();
            Operand base = null;
            long offset = 0;
            if (peek().kind() == Token.Kind.WORD) {
                base = simple(next());
            } else {
                offset = signedInt(at);
            }
            if (peek().is('+')) {
                next();
                offset += signedInt(at);
            } else if (peek().is('-')) {
                offset += signedInt(at);
            }
            expectPunct(']');
            return new Operand.Addr(base, offset);
        }
        if (t.is('{')) {
            next();
            List<Operand> elems = new ArrayList<>();
            while (true) {
                elems.add(operand(at));
                if (peek().is(',')) {
                    next();
                    continue;
                }
                expectPunct('}');
                return new Operand.Vec(elems);
            }
        }
        if (t.is('!')) {
            next();
            Token r = next();
            return new Operand.Reg(r.text(), true);
        }
        if (t.is('-') || t.kind() == Token.Kind.INT || t.kind() == Token.Kind.F32 || t.kind() == Token.Kind.F64) {
            if (t.kind() == Token.Kind.F32 || t.kind() == Token.Kind.F64) {
                next();
                return new Operand.Imm(t.value(), t.kind());
            }
            return new Operand.Imm(signedInt(at), Token.Kind.INT);
        }
        if (t.kind() == Token.Kind.WORD) {
            next();
            Operand o = simple(t);
            if (peek().is('|')) {
                next();
                Token q = next();
                if (!(o instanceof Operand.Reg r)) throw fail(t, "malformed operand in '" + line(t) + "'");
                return new Operand.Pair(r, new Operand.Reg(q.text(), false));
            }
            return o;
        }
        throw fail(t, "malformed operand in '" + line(t) + "'");
    }

    private static Operand simple(Token t) {
        return t.text().startsWith("%") ? new Operand.Reg(t.text(), false) : new Operand.Sym(t.text());
    }

    private long signedInt(Token at) {
        boolean neg = false;
        if (peek().is('-')) {
            next();
            neg = true;
        }
        Token v = next();
        if (v.kind() != Token.Kind.INT) throw fail(v, "expected an integer in '" + line(at) + "'");
        return neg ? -v.value() : v.value();
    }

    private Token peek() {
        return toks.get(p);
    }

    private Token next() {
        Token t = toks.get(p);
        if (t.kind() != Token.Kind.END) p++;
        return t;
    }

    private Token expect(Token.Kind kind) {
        Token t = next();
        if (t.kind() != kind) throw fail(t, "expected " + kind.name().toLowerCase() + " but found '" + t.text() + "' in '" + line(t) + "'");
        return t;
    }

    private void expectPunct(char c) {
        Token t = next();
        if (!t.is(c)) throw fail(t, "expected '" + c + "' but found '" + t.text() + "' in '" + line(t) + "'");
    }

    private String line(Token t) {
        int l = t.line() - 1;
        return l >= 0 && l < lines.length ? lines[l].trim() : t.text();
    }

    private PtxLoadException fail(Token t, String msg) {
        return new PtxLoadException(module, t.line(), msg);
    }
}

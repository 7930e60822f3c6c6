package dev.tokenmill.ptx.parse;

import java.util.List;

/** An instruction operand as written, before the decoder maps it onto registers. */
sealed interface Operand {
    /** A register or special register, e.g. {@code %r1}, {@code %tid.x}; {@code negated} for {@code !%p}. */
    record Reg(String name, boolean negated) implements Operand {}

    /** An integer literal (value as 64 bits), or a float literal ({@code bits} of 0f/0d form). */
    record Imm(long value, Token.Kind kind) implements Operand {}

    /** A name that is not a register: a label, a variable or a parameter. */
    record Sym(String name) implements Operand {}

    /** {@code [base+offset]}: base is a register, a symbol, or null for an absolute address. */
    record Addr(Operand base, long offset) implements Operand {}

    /** {@code {a, b, ...}}. */
    record Vec(List<Operand> elems) implements Operand {}

    /** {@code d|p}: a value destination with a predicate destination. */
    record Pair(Reg value, Reg pred) implements Operand {}
}

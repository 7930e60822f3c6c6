package dev.tokenmill.ptx.parse;

/**
 * A lexical token. {@code WORD} covers opcodes, directives ({@code .reg}), registers ({@code %r1},
 * {@code %tid.x}), labels and symbols; {@code INT} carries its value; {@code F32}/{@code F64} carry the
 * raw bits of {@code 0f}/{@code 0d} literals; {@code PUNCT} is one character.
 */
record Token(Kind kind, String text, long value, int line) {
    enum Kind { WORD, INT, F32, F64, STRING, PUNCT, END }

    boolean is(char c) {
        return kind == Kind.PUNCT && text.charAt(0) == c;
    }

    boolean isWord(String w) {
        return kind == Kind.WORD && text.equals(w);
    }
}

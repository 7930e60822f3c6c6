package dev.tokenmill.ptx.parse;

import java.util.ArrayList;
import java.util.List;

/** Splits PTX text into tokens, dropping comments, keeping line numbers. */
final class Lexer {
    private final String module;
    private final String s;
    private int i;
    private int line = 1;

    private Lexer(String module, String text) {
        this.module = module;
        this.s = text;
    }

    static List<Token> tokens(String module, String text) {
        return new Lexer(module, text).run();
    }

    private List<Token> run() {
        List<Token> out = new ArrayList<>();
        int n = s.length();
        while (i < n) {
            char ch = s.charAt(i);
            if (ch == '\n') {
                line++;
                i++;
            } else if (Character.isWhitespace(ch)) {
                i++;
            } else if (ch == '/' && i + 1 < n && s.charAt(i + 1) == '/') {
                while (i < n && s.charAt(i) != '\n') i++;
            } else if (ch == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                int end = s.indexOf("*/", i + 2);
                if (end < 0) throw new PtxLoadException(module, line, "unterminated /* comment");
                for (int k = i; k < end; k++) if (s.charAt(k) == '\n') line++;
                i = end + 2;
            } else if (ch == '"') {
                int end = s.indexOf('"', i + 1);
                if (end < 0) throw new PtxLoadException(module, line, "unterminated string");
                out.add(new Token(Token.Kind.STRING, s.substring(i + 1, end), 0, line));
                i = end + 1;
            } else if (Character.isDigit(ch)) {
                out.add(number());
            } else if (isWordStart(ch)) {
                int start = i++;
                while (i < n) {
                    char c = s.charAt(i);
                    if (isWordPart(c)) {
                        i++;
                    } else if (c == ':' && i + 2 < n && s.charAt(i + 1) == ':' && isWordPart(s.charAt(i + 2))) {
                        i += 2; // state-space sub-qualifiers such as .shared::cta
                    } else {
                        break;
                    }
                }
                out.add(new Token(Token.Kind.WORD, s.substring(start, i), 0, line));
            } else {
                out.add(new Token(Token.Kind.PUNCT, String.valueOf(ch), 0, line));
                i++;
            }
        }
        out.add(new Token(Token.Kind.END, "<end>", 0, line));
        return out;
    }

    private static boolean isWordStart(char c) {
        return Character.isLetter(c) || c == '_' || c == '$' || c == '%' || c == '.';
    }

    private static boolean isWordPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c == '.';
    }

    private Token number() {
        int start = i;
        int n = s.length();
        if (s.charAt(i) == '0' && i + 1 < n) {
            char k = s.charAt(i + 1);
            if (k == 'f' || k == 'F' || k == 'd' || k == 'D') {
                int digits = (k == 'f' || k == 'F') ? 8 : 16;
                String hex = s.substring(i + 2, Math.min(n, i + 2 + digits));
                if (hex.length() != digits || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                    throw new PtxLoadException(module, line, "malformed float literal " + s.substring(i, i + 2 + hex.length()));
                }
                i += 2 + digits;
                return new Token(digits == 8 ? Token.Kind.F32 : Token.Kind.F64, s.substring(start, i),
                        Long.parseUnsignedLong(hex, 16), line);
            }
            if (k == 'x' || k == 'X' || k == 'b' || k == 'B') {
                int radix = (k == 'x' || k == 'X') ? 16 : 2;
                i += 2;
                int ds = i;
                while (i < n && Character.digit(s.charAt(i), radix) >= 0) i++;
                long v = Long.parseUnsignedLong(s.substring(ds, i), radix);
                if (i < n && s.charAt(i) == 'U') i++;
                return new Token(Token.Kind.INT, s.substring(start, i), v, line);
            }
        }
        while (i < n && Character.isDigit(s.charAt(i))) i++;
        if (i < n && (s.charAt(i) == '.' || s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            if (s.charAt(i) == '.') i++;
            while (i < n && Character.isDigit(s.charAt(i))) i++;
            if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
                i++;
                if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) i++;
                while (i < n && Character.isDigit(s.charAt(i))) i++;
            }
            double d = Double.parseDouble(s.substring(start, i));
            return new Token(Token.Kind.F64, s.substring(start, i), Double.doubleToRawLongBits(d), line);
        }
        String digits = s.substring(start, i);
        long v = digits.length() > 1 && digits.charAt(0) == '0'
                ? Long.parseUnsignedLong(digits, 8) : Long.parseUnsignedLong(digits);
        if (i < n && s.charAt(i) == 'U') i++;
        return new Token(Token.Kind.INT, s.substring(start, i), v, line);
    }
}

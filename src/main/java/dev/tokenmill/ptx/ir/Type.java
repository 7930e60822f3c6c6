package dev.tokenmill.ptx.ir;

import java.util.Locale;

/** PTX fundamental types as they appear in instruction suffixes and declarations. */
public enum Type {
    PRED(0, Kind.PRED), B8(1, Kind.BITS), B16(2, Kind.BITS), B32(4, Kind.BITS), B64(8, Kind.BITS),
    U8(1, Kind.UNSIGNED), U16(2, Kind.UNSIGNED), U32(4, Kind.UNSIGNED), U64(8, Kind.UNSIGNED),
    S8(1, Kind.SIGNED), S16(2, Kind.SIGNED), S32(4, Kind.SIGNED), S64(8, Kind.SIGNED),
    F16(2, Kind.FLOAT), F16X2(4, Kind.FLOAT), BF16(2, Kind.FLOAT), BF16X2(4, Kind.FLOAT),
    F32(4, Kind.FLOAT), F64(8, Kind.FLOAT);

    public enum Kind { PRED, BITS, UNSIGNED, SIGNED, FLOAT }

    public final int size;
    public final Kind kind;

    Type(int size, Kind kind) {
        this.size = size;
        this.kind = kind;
    }

    public boolean isInteger() {
        return kind == Kind.BITS || kind == Kind.UNSIGNED || kind == Kind.SIGNED;
    }

    public boolean isSigned() {
        return kind == Kind.SIGNED;
    }

    /** The type named by a suffix such as {@code "u32"}, or null. */
    public static Type of(String suffix) {
        try {
            return valueOf(suffix.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Which register file a register of this type lives in. */
    public RegFile file() {
        return this == PRED ? RegFile.PRED : size == 8 ? RegFile.R64 : RegFile.R32;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}

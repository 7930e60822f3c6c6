package dev.tokenmill.op;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Element types of op operands. Accumulation is always fp32, whatever the storage type. */
public enum DType {
    F32(4), F16(2), BF16(2);

    private final int bytes;

    DType(int bytes) { this.bytes = bytes; }

    /** Bytes per element in memory. */
    public int bytes() { return bytes; }

    /** The name used on the command line and in result files: f32, f16, bf16. */
    public String id() { return name().toLowerCase(); }

    /** Parses f32|f16|bf16 (any case); the message names the allowed values. */
    public static DType parse(String text) {
        for (DType d : values()) if (d.id().equalsIgnoreCase(text)) return d;
        throw new IllegalArgumentException("dtype must be one of " + allowed() + ", got '" + text + "'");
    }

    public static String allowed() {
        return Arrays.stream(values()).map(DType::id).collect(Collectors.joining(", "));
    }
}

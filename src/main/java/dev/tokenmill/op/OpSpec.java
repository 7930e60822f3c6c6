package dev.tokenmill.op;

import java.util.Map;

/**
 * One measurable op with its shape and dtype, validated at construction. FLOPs and minimum bytes (each input
 * read once, each output written once) come from the shape alone; figures derive from them and measured time.
 */
public sealed interface OpSpec permits LinearSpec, PrefillSpec, DecodeSpec, AppendSpec, CopySpec {
    /** The op's name on the command line and in result files: linear, prefill, decode, append, copy. */
    String op();

    DType dtype();

    /** Floating-point operations of one call (multiply and add count as two). */
    double flops();

    /** Minimum bytes one call must move to or from memory. */
    long minBytes();

    /** The shape as ordered name/value pairs, for tables and result files. */
    Map<String, Object> shape();

    /** Short human-readable shape, e.g. {@code m=1 n=4096 k=4096}. */
    default String shapeText() {
        StringBuilder b = new StringBuilder();
        shape().forEach((k, v) -> b.append(b.isEmpty() ? "" : " ").append(k).append('=').append(v));
        return b.toString();
    }

    /** FLOPs per byte: where the op sits on a roofline. */
    default double arithmeticIntensity() { return flops() / minBytes(); }
}

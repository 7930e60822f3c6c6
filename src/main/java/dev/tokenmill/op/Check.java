package dev.tokenmill.op;

/** Argument checks whose messages name the field and what is allowed. */
final class Check {
    private Check() {}

    static int positive(String field, int value) {
        if (value < 1) throw new IllegalArgumentException(field + " must be >= 1, got " + value);
        return value;
    }

    static int range(String field, int value, int min, int max) {
        if (value < min || value > max)
            throw new IllegalArgumentException(field + " must be in " + min + ".." + max + ", got " + value);
        return value;
    }

    static <T> T notNull(String field, T value) {
        if (value == null) throw new IllegalArgumentException(field + " is required");
        return value;
    }

    static void headDim(int headDim) {
        if (headDim != 64 && headDim != 128)
            throw new IllegalArgumentException("head-dim must be 64 or 128, got " + headDim);
    }

    static void gqa(int heads, int kvHeads) {
        positive("heads", heads);
        positive("kv-heads", kvHeads);
        if (heads % kvHeads != 0)
            throw new IllegalArgumentException("heads (" + heads + ") must be a multiple of kv-heads (" + kvHeads
                    + "): GQA groups whole query heads per KV head");
    }

    /** Most elements in one tensor: 2^40 (4 TiB of f32) is past every device's memory, and byte sizes stay far from overflow. */
    static final long MAX_ELEMENTS = 1L << 40;

    /** Element counts must stay addressable by one int index per row and a long in total. */
    static long elements(String what, long... dims) {
        try {
            long n = 1;
            for (long d : dims) n = Math.multiplyExact(n, d);
            if (n > MAX_ELEMENTS) throw new IllegalArgumentException(what + " has " + n + " elements; at most 2^40 supported");
            return n;
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(what + " has more than 2^63 elements; at most 2^40 supported");
        }
    }
}

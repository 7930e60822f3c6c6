package dev.tokenmill.op;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code Y[M,N] = X[M,K] · W[N,K]^T}: weights stored out x in, as checkpoints store them. Prefill shapes have
 * M = prompt tokens; decode shapes have M = batch (1..64), where the op becomes a bandwidth-bound GEMV.
 */
public record LinearSpec(int m, int n, int k, DType dtype) implements OpSpec {
    /** At or below this M the op is bandwidth-bound and backends use their skinny (GEMV) path. */
    public static final int DECODE_MAX_M = 64;

    public LinearSpec {
        Check.positive("m", m);
        Check.positive("n", n);
        Check.positive("k", k);
        Check.notNull("dtype", dtype);
        Check.elements("X", m, k);
        Check.elements("W", n, k);
        Check.elements("Y", m, n);
    }

    public boolean isDecodeShape() { return m <= DECODE_MAX_M; }

    @Override public String op() { return "linear"; }

    @Override public double flops() { return 2.0 * m * n * k; }

    @Override public long minBytes() {
        return ((long) m * k + (long) n * k + (long) m * n) * dtype.bytes();
    }

    @Override public Map<String, Object> shape() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("m", m);
        s.put("n", n);
        s.put("k", k);
        return s;
    }
}

package dev.tokenmill.op;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Causal self-attention over a prompt: Q {@code [B,S,Hq,D]}, K and V {@code [B,S,Hkv,D]}, O {@code [B,S,Hq,D]},
 * scale {@code 1/sqrt(D)}; GQA when {@code Hq > Hkv} (MQA at Hkv = 1).
 */
public record PrefillSpec(int batch, int seq, int heads, int kvHeads, int headDim, DType dtype) implements OpSpec {
    public PrefillSpec {
        Check.positive("batch", batch);
        Check.positive("seq", seq);
        Check.gqa(heads, kvHeads);
        Check.headDim(headDim);
        Check.notNull("dtype", dtype);
        Check.elements("Q", batch, seq, heads, headDim);
    }

    @Override public String op() { return "prefill"; }

    /** QK^T and PV over the causal triangle: {@code 4·B·Hq·D·S(S+1)/2}. */
    @Override public double flops() { return 4.0 * batch * heads * headDim * (seq * (seq + 1.0) / 2.0); }

    @Override public long minBytes() {
        long tokens = (long) batch * seq;
        return (2L * tokens * heads * headDim + 2L * tokens * kvHeads * headDim) * dtype.bytes();
    }

    @Override public Map<String, Object> shape() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("batch", batch);
        s.put("seq", seq);
        s.put("heads", heads);
        s.put("kv_heads", kvHeads);
        s.put("head_dim", headDim);
        return s;
    }
}

package dev.tokenmill.op;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The dimensions of a decoder-only transformer, as its config.json states them, and the op shapes of one of its
 * layers. Projections: fused QKV, attention output, fused gate/up, down; plus the LM head once per model.
 */
public enum ModelPreset {
    LLAMA_3_1_8B("llama-3.1-8b", 4096, 32, 8, 128, 14336, 32, 128256),
    LLAMA_3_1_70B("llama-3.1-70b", 8192, 64, 8, 128, 28672, 80, 128256),
    LLAMA_3_2_1B("llama-3.2-1b", 2048, 32, 8, 64, 8192, 16, 128256),
    MISTRAL_7B("mistral-7b", 4096, 32, 8, 128, 14336, 32, 32768),
    QWEN_2_5_7B("qwen2.5-7b", 3584, 28, 4, 128, 18944, 28, 152064);

    /** One named projection of a layer, e.g. {@code qkv} with its linear shape. */
    public record Projection(String name, LinearSpec spec) {}

    private final String id;
    public final int hidden, heads, kvHeads, headDim, ffn, layers, vocab;

    ModelPreset(String id, int hidden, int heads, int kvHeads, int headDim, int ffn, int layers, int vocab) {
        this.id = id;
        this.hidden = hidden;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.ffn = ffn;
        this.layers = layers;
        this.vocab = vocab;
    }

    public String id() { return id; }

    public static ModelPreset parse(String text) {
        for (ModelPreset p : values()) if (p.id.equalsIgnoreCase(text)) return p;
        throw new IllegalArgumentException("model must be one of " + allowed() + ", got '" + text + "'");
    }

    public static String allowed() {
        return Arrays.stream(values()).map(ModelPreset::id).collect(Collectors.joining(", "));
    }

    /** The four projections of one layer at M rows (prompt tokens for prefill, batch for decode). */
    public List<Projection> projections(int m, DType dtype) {
        return List.of(
                new Projection("qkv", new LinearSpec(m, (heads + 2 * kvHeads) * headDim, hidden, dtype)),
                new Projection("o", new LinearSpec(m, hidden, heads * headDim, dtype)),
                new Projection("gate_up", new LinearSpec(m, 2 * ffn, hidden, dtype)),
                new Projection("down", new LinearSpec(m, hidden, ffn, dtype)));
    }

    /** The LM head, run once per model (not per layer). */
    public Projection lmHead(int m, DType dtype) {
        return new Projection("lm_head", new LinearSpec(m, vocab, hidden, dtype));
    }

    /** One layer's causal attention over a prompt of {@code seq} tokens. */
    public PrefillSpec prefill(int batch, int seq, DType dtype) {
        return new PrefillSpec(batch, seq, heads, kvHeads, headDim, dtype);
    }

    /** One layer's decode attention: {@code batch} sequences at {@code context} cached tokens. */
    public DecodeSpec decode(int batch, int context, KvLayout layout, int blockSize, DType dtype) {
        return DecodeSpec.uniform(batch, heads, kvHeads, headDim, context, layout, blockSize, dtype);
    }

    /** One layer's KV append for {@code batch} sequences at {@code context} cached tokens. */
    public AppendSpec append(int batch, int context, KvLayout layout, int blockSize, DType dtype) {
        return AppendSpec.uniform(batch, kvHeads, headDim, context, layout, blockSize, dtype);
    }
}

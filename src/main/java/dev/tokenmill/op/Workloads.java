package dev.tokenmill.op;


import java.util.Map;

/**
 * The op each suite benchmark measures, from its JMH parameters. The benchmarks build their ops here and the
 * result file rebuilds the same ops from the parameters JMH reports, so shapes, FLOPs and bytes have one source.
 */
public final class Workloads {
    /** The suites, in the order runs and reports take them: prefill (compute-bound), then decode (bandwidth-bound). */
    public static final java.util.List<String> SUITES = java.util.List.of("prefill", "decode");

    /** Paged caches use vLLM's default block of 16 tokens. */
    public static final int BLOCK_SIZE = KvCache.DEFAULT_BLOCK_SIZE;

    private Workloads() {}

    /** A projection of one layer over {@code batch × length} prompt tokens. */
    public static OpSpec prefillLinear(String model, String projection, int batch, int length, DType dtype) {
        long tokens = (long) batch * length;
        if (tokens > Integer.MAX_VALUE)
            throw new IllegalArgumentException("batch x length is " + tokens + " prompt tokens; at most 2^31 - 1 supported");
        return projection(ModelPreset.parse(model), projection, (int) tokens, dtype);
    }

    /** One layer's causal attention over prompts of {@code length} tokens. */
    public static OpSpec prefillAttention(String model, int batch, int length, DType dtype) {
        return ModelPreset.parse(model).prefill(batch, length, dtype);
    }

    /** A projection of one layer for one new token of each of {@code batch} sequences. */
    public static OpSpec decodeLinear(String model, String projection, int batch, DType dtype) {
        return projection(ModelPreset.parse(model), projection, batch, dtype);
    }

    /** One layer's decode attention: {@code batch} sequences of {@code length} cached tokens. */
    public static OpSpec decodeAttention(String model, int batch, int length, String layout, DType dtype) {
        return ModelPreset.parse(model).decode(batch, length, parseLayout(layout), BLOCK_SIZE, dtype);
    }

    /** One layer's KV append for {@code batch} sequences of {@code length} cached tokens. */
    public static OpSpec append(String model, int batch, int length, String layout, DType dtype) {
        return ModelPreset.parse(model).append(batch, length, parseLayout(layout), BLOCK_SIZE, dtype);
    }

    /**
     * The op of a suite benchmark ({@code PrefillBenchmarks.linear}, {@code DecodeBenchmarks.attention}, ...; a
     * fully qualified JMH name works too) with the parameters JMH ran it with.
     */
    public static OpSpec of(String benchmark, Map<String, String> params) {
        String name = benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1);
        String model = param(params, "model");
        DType dtype = DType.parse(param(params, "dtype"));
        return switch (name) {
            case "PrefillBenchmarks.linear" -> prefillLinear(model, param(params, "projection"),
                    intParam(params, "batch"), intParam(params, "length"), dtype);
            case "PrefillBenchmarks.attention" -> prefillAttention(model, intParam(params, "batch"),
                    intParam(params, "length"), dtype);
            case "DecodeBenchmarks.linear" -> decodeLinear(model, param(params, "projection"),
                    intParam(params, "batch"), dtype);
            case "DecodeBenchmarks.attention" -> decodeAttention(model, intParam(params, "batch"),
                    intParam(params, "length"), param(params, "layout"), dtype);
            case "DecodeBenchmarks.append" -> append(model, intParam(params, "batch"), intParam(params, "length"),
                    param(params, "layout"), dtype);
            default -> throw new IllegalArgumentException("'" + benchmark + "' is not a tokenmill suite benchmark");
        };
    }

    /** The suite a benchmark belongs to: {@code prefill} or {@code decode}. */
    public static String suite(String benchmark) {
        if (benchmark.contains("PrefillBenchmarks.")) return "prefill";
        if (benchmark.contains("DecodeBenchmarks.")) return "decode";
        throw new IllegalArgumentException("'" + benchmark + "' is not a tokenmill suite benchmark");
    }

    public static KvLayout parseLayout(String text) {
        for (KvLayout l : KvLayout.values()) if (l.id().equalsIgnoreCase(text)) return l;
        throw new IllegalArgumentException("layout must be paged or contiguous, got '" + text + "'");
    }

    /**
     * A layer's projection by name, or {@code lm_head} (not on the suites' default axes: it runs once per model,
     * not per layer; a model roll-up measures it with {@code -p projection=lm_head}).
     */
    private static OpSpec projection(ModelPreset model, String name, int m, DType dtype) {
        if (name.equalsIgnoreCase("lm_head")) return model.lmHead(m, dtype).spec();
        return model.projections(m, dtype).stream().filter(p -> p.name().equalsIgnoreCase(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "projection must be one of qkv, o, gate_up, down, lm_head, got '" + name + "'"))
                .spec();
    }

    private static String param(Map<String, String> params, String key) {
        String v = params.get(key);
        if (v == null) throw new IllegalArgumentException("parameter '" + key + "' is missing");
        return v;
    }

    private static int intParam(Map<String, String> params, String key) {
        String v = param(params, key);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, got '" + v + "'");
        }
    }
}

package dev.tokenmill.tensor;

/**
 * Attention operands with the numerics of real models, so that verification tells a right softmax from a nearly
 * right one. Uniform q and k in [-1, 1] give logits of standard deviation 0.33 at D = 128: every softmax is nearly
 * flat, each output an average of thousands of values near zero, and a kernel whose rescale is 3 % off passes.
 * Here, for every head of every sequence, a logit {@code q·k/√D} is the sum of
 * <ul>
 *   <li>a random part of standard deviation {@link #LOGIT_STD}: q and k share a per-channel scale (log-uniform over
 *       two octaves, as RoPE'd projections have strong and weak channels);</li>
 *   <li>a sink part, carried by two channels as the "massive activations" behind real attention sinks are:
 *       {@link #SINK} at position 0 and at {@link #SINKS} - 1 random positions in the first half;</li>
 *   <li>a recency part, in two more channels: a rise of {@link #TREND} from the first key to the last, so the running
 *       max keeps moving and the online-softmax rescale runs many times, and {@link #LATE} late keys {@link #LATE_BOOST}
 *       above the trend, the newest key among them, so the max moves late and a kernel that drops a ragged end loses
 *       a heavy key.</li>
 * </ul>
 * Each query head weights the two parts by its own factors (summing to {@link #BIAS_WEIGHT}): from sink heads, whose
 * weight a few keys hold, through mixed ones, to recency heads spread over thousands of keys with a max that moves
 * all along. v has a per-channel scale spanning eight octaves (outputs are checked at many magnitudes) and a component
 * that cycles with the position ({@link #DRIFT_PERIOD}), so an output depends on which keys carry the weight, not only
 * on how much. Cache slots past a sequence's length (decode) hold keys {@link #BEYOND} high in both parts: a kernel
 * that reads one gives it nearly all the weight.
 *
 * <p>Largest magnitudes: q about 4, k about 71 (the bias channels of slots past the end), v about 24: f16 holds them.
 * Logits stay between about -15 and 50, so no fp32 exponential of a difference of logits underflows to a subnormal
 * (which would also slow a CPU kernel down). Every value is a function of the seed and the element's index
 * ({@link RandomStreams}), so rows fill in parallel.
 */
final class AttentionInputs {
    /** Standard deviation of the random part of the logits, after the 1/√D scale. */
    static final double LOGIT_STD = 2.5;
    /** Logit of a sink, before its head's factor. */
    static final double SINK = 15;
    /** Sinks per sequence and KV head, position 0 included. */
    static final int SINKS = 3;
    /** Rise of the recency part from a sequence's first key to its last, before its head's factor. */
    static final double TREND = 6;
    /** Late keys per sequence and KV head: the newest (last) and random ones in its last quarter. */
    static final int LATE = 2;
    /** How far a late key stands above the trend. */
    static final double LATE_BOOST = 3;
    /** A head's sink factor and recency factor add up to this: one in [0.2, 1.4], the other the rest. */
    static final double BIAS_WEIGHT = 1.6;
    /** Both parts of a cache slot past the sequence's length: far above every real key in every head. */
    static final double BEYOND = 25;
    /** Keys over which v's drift goes through a full cycle: short enough to differ within any tile or split of keys. */
    static final int DRIFT_PERIOD = 200;
    /** The query's value in the bias channels at a factor of 1. */
    private static final double Q_BIAS = 2;

    private static final long Q = 1, K = 2, V = 3, CHANNEL = 4, V_CHANNEL = 5, DRIFT = 6, HEAD = 7, SINK_AT = 8;

    private final long seed;
    private final int d, hkv, group, sinkA, sinkB, recentA, recentB;
    private final double keyScale;
    /** [Hkv][D]: the scale of q and k in each noise channel. */
    private final float[] qkScale;
    /** [Hkv][D]: v's scale and drift per channel. */
    private final float[] vScale, vDrift;
    /** [Hq]: the query's value in the sink and in the recency channels. */
    private final float[] qSink, qRecent;

    AttentionInputs(long seed, int hq, int hkv, int d) {
        this.seed = seed;
        this.d = d;
        this.hkv = hkv;
        this.group = hq / hkv;
        this.sinkA = 0;
        this.sinkB = d / 2;
        this.recentA = 1;
        this.recentB = d / 2 + 1;
        // a bias b in a pair of channels adds (query factor)·b to q·k/√D
        this.keyScale = Math.sqrt(d) / (2 * Q_BIAS);
        qkScale = new float[hkv * d];
        vScale = new float[hkv * d];
        vDrift = new float[hkv * d];
        for (int g = 0; g < hkv; g++) {
            double fourth = 0;
            for (int i = 0; i < d; i++) {
                int at = g * d + i;
                double c = Math.pow(2, RandomStreams.uniform(stream(CHANNEL), at));
                qkScale[at] = (float) c;
                if (!isBias(i)) fourth += Math.pow(c, 4);
                vScale[at] = (float) Math.pow(2, 4 * RandomStreams.uniform(stream(V_CHANNEL), at));
                vDrift[at] = (float) RandomStreams.uniform(stream(DRIFT), at);
            }
            // q_i = a·c_i·ξ, k_i = a·c_i·η with ξ, η uniform in [-1, 1] (variance 1/3): var(q·k/√D) = a⁴·Σc⁴ / (9D)
            double a = Math.pow(9 * d * LOGIT_STD * LOGIT_STD / fourth, 0.25);
            for (int i = 0; i < d; i++) qkScale[g * d + i] *= (float) a;
        }
        qSink = new float[hq];
        qRecent = new float[hq];
        for (int h = 0; h < hq; h++) {
            double sink = 0.2 + 1.2 * RandomStreams.unit(stream(HEAD), h);
            qSink[h] = (float) (Q_BIAS * sink);
            qRecent[h] = (float) (Q_BIAS * (BIAS_WEIGHT - sink));
        }
    }

    private long stream(long tag) { return RandomStreams.stream(seed, tag); }

    private boolean isBias(int i) { return i == sinkA || i == sinkB || i == recentA || i == recentB; }

    /** Query head {@code h}'s row into {@code q} at element {@code at}; {@code row} numbers query rows uniquely. */
    void query(long row, int h, HostTensor q, long at) {
        int g = h / group;
        long noise = stream(Q);
        for (int i = 0; i < d; i++) {
            float x = i == sinkA || i == sinkB ? qSink[h] : i == recentA || i == recentB ? qRecent[h]
                    : (float) (qkScale[g * d + i] * RandomStreams.uniform(noise, row * d + i));
            q.set(at + i, x);
        }
    }

    /**
     * KV head {@code g}'s key and value rows for position {@code pos} of sequence {@code seq}, {@code len} tokens long
     * ({@code pos >= len}: a slot past its end), into {@code k} and {@code v} at element {@code at}; {@code row}
     * numbers key rows uniquely.
     */
    void keyValue(int seq, int pos, int len, int g, long row, HostTensor k, HostTensor v, long at) {
        float sink = (float) (sink(seq, pos, len, g) * keyScale), recent = (float) (recency(seq, pos, len, g) * keyScale);
        double drift = pos < len ? Math.sin(2 * Math.PI * pos / DRIFT_PERIOD) : 0;
        long kNoise = stream(K), vNoise = stream(V);
        for (int i = 0; i < d; i++) {
            int c = g * d + i;
            float x = i == sinkA || i == sinkB ? sink : i == recentA || i == recentB ? recent
                    : (float) (qkScale[c] * RandomStreams.uniform(kNoise, row * d + i));
            k.set(at + i, x);
            v.set(at + i, (float) (vScale[c] * (0.5 * RandomStreams.uniform(vNoise, row * d + i) + vDrift[c] * drift)));
        }
    }

    /** The sink part of a key's logits, before the query head's factor. */
    double sink(int seq, int pos, int len, int g) {
        if (pos >= len) return BEYOND;
        if (pos == 0) return SINK;
        for (int j = 1; j < SINKS; j++)
            if (pos == 1 + (int) (RandomStreams.unit(stream(SINK_AT), place(seq, g, j)) * Math.max(1, len / 2 - 1))) return SINK;
        return 0;
    }

    /** The recency part of a key's logits, before the query head's factor. */
    double recency(int seq, int pos, int len, int g) {
        if (pos >= len) return BEYOND;
        double trend = TREND * pos / len;
        if (pos == len - 1) return trend + LATE_BOOST;
        int lateFrom = len - Math.max(1, len / 4);
        for (int j = 1; j < LATE; j++)
            if (pos == lateFrom + (int) (RandomStreams.unit(stream(SINK_AT), place(seq, g, SINKS + j)) * (len - lateFrom)))
                return trend + LATE_BOOST;
        return trend;
    }

    /** Index of the j-th special position of sequence {@code seq}, KV head {@code g}, in the stream that places them. */
    private long place(int seq, int g, int j) { return ((long) seq * hkv + g) * (SINKS + LATE) + j; }
}

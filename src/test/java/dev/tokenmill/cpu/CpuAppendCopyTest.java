package dev.tokenmill.cpu;

import dev.tokenmill.tensor.Operands;
import dev.tokenmill.op.AppendSpec;
import dev.tokenmill.op.CopySpec;
import dev.tokenmill.op.DType;
import dev.tokenmill.op.KvCache;
import dev.tokenmill.op.KvLayout;
import dev.tokenmill.reference.Verifier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuAppendCopyTest {
    static List<Arguments> appends() {
        List<Arguments> all = new ArrayList<>();
        for (DType t : DType.values()) {
            for (int bs : new int[]{1, 16, 32}) all.add(Arguments.of(t, KvLayout.PAGED, bs));
            all.add(Arguments.of(t, KvLayout.CONTIGUOUS, 16));
        }
        return all;
    }

    /** Positions 0 and either side of a block boundary; the new rows land exactly and nothing else changes. */
    @ParameterizedTest(name = "{0} {1} block={2}")
    @MethodSource("appends")
    void writesTheNewTokenAndNothingElse(DType t, KvLayout layout, int bs) {
        int[] lens = {0, Math.max(0, bs - 1), bs, bs + 1, 2 * bs};
        AppendSpec spec = new AppendSpec(new KvCache(lens.length, 3, 64, lens, 2 * bs + 1, layout, bs), t);
        try (Operands.Append ops = (Operands.Append) Operands.create(spec, bs)) {
            float[] k = ops.cache().k().toFloatArray(), v = ops.cache().v().toFloatArray();
            CpuBackend.kernel(spec).run(ops);
            assertTrue(Verifier.check(ops).passed(), Verifier.check(ops)::summary);
            Set<Long> written = new HashSet<>();
            for (int b = 0; b < lens.length; b++)
                for (int h = 0; h < 3; h++)
                    for (int i = 0; i < 64; i++) written.add(ops.cache().offset(b, lens[b], h) + i);
            for (int i = 0; i < k.length; i++) {
                if (written.contains((long) i)) continue;
                assertEquals(Float.floatToIntBits(k[i]), Float.floatToIntBits(ops.cache().k().get(i)), "k " + i);
                assertEquals(Float.floatToIntBits(v[i]), Float.floatToIntBits(ops.cache().v().get(i)), "v " + i);
            }
        }
    }

    /** One chunk, several chunks with a short last one, below and above the one-chunk threshold. */
    @ParameterizedTest
    @ValueSource(longs = {16, 4096 + 48, CpuCopy.MIN_CHUNK_BYTES * 5 + 16})
    void copiesEveryByte(long bytes) {
        AttentionCheck.verify(new CopySpec(bytes), bytes);
    }
}

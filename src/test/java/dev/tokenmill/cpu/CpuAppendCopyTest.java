package dev.tokenmill.cpu;

import dev.tokenmill.op.AppendSpec;
import dev.tokenmill.op.CopySpec;
import dev.tokenmill.op.DType;
import dev.tokenmill.op.KvCache;
import dev.tokenmill.op.KvLayout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

class CpuAppendCopyTest {
    static List<Arguments> appends() {
        List<Arguments> all = new ArrayList<>();
        for (DType t : DType.values()) {
            for (int bs : new int[]{1, 16, 32}) all.add(Arguments.of(t, KvLayout.PAGED, bs));
            all.add(Arguments.of(t, KvLayout.CONTIGUOUS, 16));
        }
        return all;
    }

    /** Positions 0 and either side of a block boundary; the Verifier compares the whole cache, bit for bit. */
    @ParameterizedTest(name = "{0} {1} block={2}")
    @MethodSource("appends")
    void writesTheNewTokenAndNothingElse(DType t, KvLayout layout, int bs) {
        int[] lens = {0, Math.max(0, bs - 1), bs, bs + 1, 2 * bs};
        AttentionCheck.verify(new AppendSpec(new KvCache(lens.length, 3, 64, lens, 2 * bs + 1, layout, bs), t), bs);
    }

    /** One chunk, several chunks with a short last one, below and above the one-chunk threshold. */
    @ParameterizedTest
    @ValueSource(longs = {16, 4096 + 48, CpuCopy.MIN_CHUNK_BYTES * 5 + 16})
    void copiesEveryByte(long bytes) {
        AttentionCheck.verify(new CopySpec(bytes), bytes);
    }
}

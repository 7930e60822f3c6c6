package dev.tokenmill.cpu;

import dev.tokenmill.backend.PrepareOptions;
import dev.tokenmill.backend.PreparedOp;
import dev.tokenmill.op.DType;
import dev.tokenmill.op.PrefillSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuPrefillTest {
    /** (heads, kv heads): MHA 1:1, GQA 4:1 and 8:1, MQA with an odd group of 6. */
    private static final int[][] GROUPS = {{2, 2}, {8, 2}, {16, 2}, {6, 1}};

    static List<Arguments> shapes() {
        List<Arguments> all = new ArrayList<>();
        for (DType t : DType.values())
            for (int d : new int[]{64, 128})
                for (int[] g : GROUPS)
                    for (int seq : new int[]{1, 2, 17, 100})
                        all.add(Arguments.of(t, d, g[0], g[1], seq));
        return all;
    }

    @ParameterizedTest(name = "{0} D={1} Hq={2} Hkv={3} S={4}")
    @MethodSource("shapes")
    void matchesTheReference(DType t, int d, int hq, int hkv, int seq) {
        AttentionCheck.verify(new PrefillSpec(seq == 17 ? 2 : 1, seq, hq, hkv, d, t), 7L * seq + hq);
    }

    /** Query tiles end mid-sequence and key blocks cross tile edges: a sequence several tiles and blocks long. */
    @Test
    void spansSeveralQueryTilesAndKeyBlocks() {
        AttentionCheck.verify(new PrefillSpec(1, 3 * CpuPrefill.TILE_ROWS + 5, 4, 4, 64, DType.BF16), 11);
    }

    @Test
    void verifiesThroughTheBackend() {
        try (PreparedOp op = new CpuBackend().prepare(new PrefillSpec(2, 33, 8, 2, 128, DType.F16), PrepareOptions.single())) {
            assertEquals("cpu.prefill.flash", op.variant());
            assertTrue(op.verify().passed());
        }
    }
}

package dev.tokenmill.cli;

import dev.tokenmill.op.AppendSpec;
import dev.tokenmill.op.DType;
import dev.tokenmill.op.DecodeSpec;
import dev.tokenmill.op.KvCache;
import dev.tokenmill.op.KvLayout;
import dev.tokenmill.op.LinearSpec;
import dev.tokenmill.op.OpSpec;
import dev.tokenmill.op.PrefillSpec;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shapes {@code verify} checks include the awkward ones kernels get wrong. */
class VerifyCasesTest {
    private static final List<OpSpec> ALL = VerifyCases.of(false, 1);

    @Test
    void everyOpKindInEveryDtype() {
        for (String op : List.of("linear", "prefill", "decode", "append"))
            for (DType t : DType.values())
                assertTrue(ALL.stream().anyMatch(s -> s.op().equals(op) && s.dtype() == t), op + " " + t);
        assertTrue(ALL.stream().anyMatch(s -> s.op().equals("copy")));
    }

    @Test
    void awkwardLinearShapes() {
        List<LinearSpec> linear = only(LinearSpec.class);
        assertTrue(linear.stream().anyMatch(s -> s.m() == 1), "GEMV");
        assertTrue(linear.stream().anyMatch(s -> s.m() == LinearSpec.DECODE_MAX_M), "largest skinny M");
        assertTrue(linear.stream().anyMatch(s -> s.m() == LinearSpec.DECODE_MAX_M + 1), "smallest GEMM M");
        assertTrue(linear.stream().anyMatch(s -> s.n() % 16 != 0 && s.k() % 16 != 0 && s.m() % 16 != 0), "tails everywhere");
    }

    @Test
    void everyGroupingOfQueryHeads() {
        Set<Integer> prefill = only(PrefillSpec.class).stream().map(s -> s.heads() / s.kvHeads()).collect(Collectors.toSet());
        Set<Integer> decode = only(DecodeSpec.class).stream().map(s -> s.heads() / s.kvHeads()).collect(Collectors.toSet());
        assertTrue(prefill.containsAll(Set.of(1, 4, 8)), prefill.toString());
        assertTrue(decode.containsAll(Set.of(1, 4, 8)), decode.toString());
        assertTrue(only(PrefillSpec.class).stream().anyMatch(s -> s.kvHeads() == 1 && s.heads() > 1), "MQA prefill");
        assertTrue(only(DecodeSpec.class).stream().anyMatch(s -> s.kvHeads() == 1 && s.heads() > 1), "MQA decode");
        assertTrue(only(PrefillSpec.class).stream().anyMatch(s -> s.seq() == 1), "one-token prompt");
        assertTrue(only(PrefillSpec.class).stream().map(PrefillSpec::headDim).collect(Collectors.toSet()).containsAll(Set.of(64, 128)));
    }

    @Test
    void cachesOfEveryLayoutWithLengthsAroundBlockEdges() {
        List<KvCache> decode = only(DecodeSpec.class).stream().map(DecodeSpec::cache).toList();
        List<KvCache> append = only(AppendSpec.class).stream().map(AppendSpec::cache).toList();
        for (List<KvCache> caches : List.of(decode, append)) {
            assertTrue(caches.stream().anyMatch(c -> c.layout() == KvLayout.CONTIGUOUS));
            assertTrue(caches.stream().anyMatch(c -> c.layout() == KvLayout.PAGED));
            assertTrue(caches.stream().anyMatch(c -> !c.isUniform()), "ragged");
            assertTrue(caches.stream().anyMatch(aroundBlockEdge()), "block size - 1, block size, block size + 1");
        }
        assertTrue(decode.stream().anyMatch(c -> Arrays.stream(c.seqLens()).anyMatch(l -> l == 1)), "length 1");
        assertTrue(append.stream().anyMatch(c -> Arrays.stream(c.seqLens()).anyMatch(l -> l == 0)), "append to empty");
    }

    @Test
    void quickIsASubsetAndRandomShapesFollowTheSeed() {
        List<OpSpec> quick = VerifyCases.of(true, 1);
        assertTrue(ALL.containsAll(quick));
        assertTrue(quick.size() < ALL.size() / 2);
        assertEquals(ALL, VerifyCases.of(false, 1));
        assertNotEquals(ALL, VerifyCases.of(false, 2));
    }

    private static Predicate<KvCache> aroundBlockEdge() {
        return c -> c.layout() == KvLayout.PAGED && Set.of(c.blockSize() - 1, c.blockSize(), c.blockSize() + 1)
                .stream().allMatch(l -> Arrays.stream(c.seqLens()).anyMatch(x -> x == l));
    }

    private static <T extends OpSpec> List<T> only(Class<T> type) {
        return ALL.stream().filter(type::isInstance).map(type::cast).toList();
    }
}

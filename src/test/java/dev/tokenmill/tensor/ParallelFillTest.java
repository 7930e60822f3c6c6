package dev.tokenmill.tensor;

import dev.tokenmill.op.DType;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The parallel fill writes what drawing from the JDK's SplittableRandom in order writes, bit for bit. */
class ParallelFillTest {
    @Test
    void everyElementIsTheSequentialDrawOfItsIndex() {
        long[] sizes = {0, 1, 7, Chunks.SIZE, Chunks.SIZE + 1, 3 * Chunks.SIZE + 5};
        long[] seeds = {0, 20261125L, -1, 0x5DEECE66DL};
        for (DType t : DType.values())
            for (long n : sizes)
                for (long seed : seeds) {
                    if (n > Chunks.SIZE && seed != 20261125L) continue; // the large ones once per dtype
                    try (HostTensor parallel = HostTensor.random(t, seed, n); HostTensor sequential = HostTensor.allocate(t, n)) {
                        SplittableRandom rnd = new SplittableRandom(seed);
                        for (long i = 0; i < n; i++) sequential.set(i, (float) (rnd.nextDouble() * 2 - 1));
                        assertEquals(-1, parallel.segment().mismatch(sequential.segment()),
                                t.id() + "[" + n + "] from seed " + seed + ": first differing byte");
                    }
                }
    }
}

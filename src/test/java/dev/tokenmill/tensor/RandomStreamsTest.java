package dev.tokenmill.tensor;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RandomStreamsTest {
    /** Element i of a stream is the i-th draw of the JDK's SplittableRandom: random tensors keep the values they had. */
    @Test
    void elementIIsSplittableRandomsIthDraw() {
        for (long seed : new long[]{0, 7, -3, 20261125L}) {
            SplittableRandom rnd = new SplittableRandom(seed);
            for (long i = 0; i < 1000; i++) {
                double draw = rnd.nextDouble();
                assertEquals(draw * 2 - 1, RandomStreams.uniform(seed, i), "seed " + seed + ", element " + i);
            }
            assertEquals(new SplittableRandom(seed).nextDouble(), RandomStreams.unit(seed, 0));
        }
    }
}

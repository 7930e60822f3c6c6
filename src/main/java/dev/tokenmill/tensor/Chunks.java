package dev.tokenmill.tensor;

import java.util.stream.LongStream;

/** Splits a range of indices into chunks run in parallel (common fork/join pool): how large operands are filled. */
final class Chunks {
    /** Indices per chunk: big enough that scheduling is noise, small enough that both cores get work. */
    static final long SIZE = 1 << 16;

    private Chunks() {}

    /** Chunk body over indices {@code [from, to)}. */
    interface Body { void run(long from, long to); }

    /** Runs {@code body} over {@code [0, n)} in chunks of {@code size}, in parallel when there is more than one. */
    static void forEach(long n, long size, Body body) {
        long chunks = (n + size - 1) / size;
        if (chunks <= 1) {
            if (n > 0) body.run(0, n);
            return;
        }
        LongStream.range(0, chunks).parallel().forEach(c -> body.run(c * size, Math.min(n, (c + 1) * size)));
    }
}

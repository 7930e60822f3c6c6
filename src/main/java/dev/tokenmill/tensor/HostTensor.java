package dev.tokenmill.tensor;

import dev.tokenmill.op.DType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A row-major tensor in off-heap memory (64-byte aligned, shared so that kernel threads can read and write it),
 * stored as f32, f16 or bf16. Freed by {@link #close()}.
 */
public final class HostTensor implements AutoCloseable {
    public static final long ALIGNMENT = 64;

    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    private final DType dtype;
    private final long[] shape;
    private final long elements;
    private final Arena arena;
    private final MemorySegment segment;

    private HostTensor(DType dtype, long[] shape) {
        this.dtype = dtype;
        this.shape = shape.clone();
        long n = 1;
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            n = Math.multiplyExact(n, d);
        }
        this.elements = n;
        this.arena = Arena.ofShared();
        this.segment = arena.allocate(Math.max(1, n * dtype.bytes()), ALIGNMENT);
    }

    /** A zero-filled tensor. */
    public static HostTensor allocate(DType dtype, long... shape) { return new HostTensor(dtype, shape); }

    /** A tensor of uniform random values in [-1, 1), rounded to the dtype ({@link #fillRandom}). */
    public static HostTensor random(DType dtype, long seed, long... shape) {
        HostTensor t = allocate(dtype, shape);
        t.fillRandom(seed);
        return t;
    }

    public DType dtype() { return dtype; }

    public long[] shape() { return shape.clone(); }

    public long elements() { return elements; }

    public long bytes() { return elements * dtype.bytes(); }

    /** The raw storage, for kernels and device uploads. */
    public MemorySegment segment() { return segment; }

    public float get(long i) {
        return switch (dtype) {
            case F32 -> segment.getAtIndex(F32, i);
            case BF16 -> Floats.bf16ToFloat(segment.getAtIndex(U16, i));
            case F16 -> Floats.f16ToFloat(segment.getAtIndex(U16, i));
        };
    }

    /** Stores {@code v} rounded to the dtype. */
    public void set(long i, float v) {
        switch (dtype) {
            case F32 -> segment.setAtIndex(F32, i, v);
            case BF16 -> segment.setAtIndex(U16, i, Floats.floatToBf16(v));
            case F16 -> segment.setAtIndex(U16, i, Floats.floatToF16(v));
        }
    }

    /**
     * Uniform values in [-1, 1) rounded to the dtype: element {@code i} from the {@code i}-th draw of
     * {@code new SplittableRandom(seed)}, written in parallel.
     */
    public void fillRandom(long seed) { fillRandom(seed, 0); }

    /**
     * Element {@code i} becomes element {@code first + i} of the random stream {@code seed}: so a slice of a random
     * tensor can be regenerated on its own (element {@code i} depends on the seed and its index only).
     */
    public void fillRandom(long seed, long first) {
        Chunks.forEach(elements, Chunks.SIZE, (from, to) -> {
            for (long i = from; i < to; i++) set(i, (float) RandomStreams.uniform(seed, first + i));
        });
    }

    /** Fills with NaN, so that an element a kernel fails to write cannot pass verification. */
    public void poison() {
        switch (dtype) {
            case F32 -> segment.fill((byte) 0xFF); // 0xFFFFFFFF is a NaN
            case BF16 -> { for (long i = 0; i < elements; i++) segment.setAtIndex(U16, i, Floats.BF16_NAN); }
            case F16 -> { for (long i = 0; i < elements; i++) segment.setAtIndex(U16, i, Floats.F16_NAN); }
        }
    }

    /** A new tensor with the same values in another dtype (rounded to nearest even). */
    public HostTensor to(DType target) {
        HostTensor t = allocate(target, shape);
        for (long i = 0; i < elements; i++) t.set(i, get(i));
        return t;
    }

    public void copyFrom(HostTensor other) {
        if (other.dtype != dtype || other.elements != elements)
            throw new IllegalArgumentException("copy between " + this + " and " + other);
        segment.copyFrom(other.segment);
    }

    @Override public void close() { if (arena.scope().isAlive()) arena.close(); }

    @Override public String toString() { return dtype.id() + Arrays.toString(shape); }
}

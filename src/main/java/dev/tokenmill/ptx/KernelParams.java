package dev.tokenmill.ptx;

import dev.tokenmill.ptx.ir.Param;
import dev.tokenmill.ptx.ir.Program;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A parameter buffer laid out per an entry's {@code .param} declarations (little-endian, each parameter at
 * its alignment), filled by index. Pointers are device addresses from {@code GlobalMemory.alloc} (0 for null).
 */
public final class KernelParams {
    private final Program program;
    private final ByteBuffer buf;

    KernelParams(Program program) {
        this.program = program;
        this.buf = ByteBuffer.allocate(program.paramBytes()).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Sets parameter {@code index} (a u32/s32/b32, u64/s64/b64 or f32 scalar) to the low bytes of {@code value}. */
    public KernelParams set(int index, long value) {
        Param p = param(index);
        switch (p.size()) {
            case 4 -> buf.putInt(p.offset(), (int) value);
            case 8 -> buf.putLong(p.offset(), value);
            case 2 -> buf.putShort(p.offset(), (short) value);
            case 1 -> buf.put(p.offset(), (byte) value);
            default -> throw new IllegalArgumentException(program.name() + " parameter " + index + " (" + p.name()
                    + ") is an array of " + p.size() + " bytes: use set(int, byte[])");
        }
        return this;
    }

    public KernelParams setFloat(int index, float value) {
        return set(index, Float.floatToRawIntBits(value));
    }

    /** Sets an array (or any) parameter from its exact bytes. */
    public KernelParams set(int index, byte[] value) {
        Param p = param(index);
        if (value.length != p.size()) {
            throw new IllegalArgumentException(program.name() + " parameter " + index + " (" + p.name() + ") has "
                    + p.size() + " bytes, got " + value.length);
        }
        buf.put(p.offset(), value);
        return this;
    }

    public byte[] bytes() {
        return buf.array().clone();
    }

    private Param param(int index) {
        if (index < 0 || index >= program.params().size()) {
            throw new IllegalArgumentException(program.name() + " has " + program.params().size() + " parameters, no index " + index);
        }
        return program.params().get(index);
    }
}

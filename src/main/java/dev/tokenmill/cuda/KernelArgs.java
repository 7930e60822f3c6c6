package dev.tokenmill.cuda;

import java.util.ArrayList;
import java.util.List;

/**
 * A kernel's parameters in declaration order, as typed values (kernels/ABI.md: {@code ptr}, {@code i32},
 * {@code i64}); each {@link Driver} turns them into what its launch takes (JCuda: an array of pointers to each value).
 * Values are copied at launch (and at graph capture), so one KernelArgs may be launched often.
 */
final class KernelArgs {
    /** One parameter's value. */
    sealed interface Value {
        /** Its size in bytes, as the PTX declares it. */
        int bytes();
    }

    /** A device address ({@code T*}); 0 is a null pointer. */
    record Address(long value) implements Value {
        @Override public int bytes() { return Long.BYTES; }
    }

    /** An {@code int}. */
    record I32(int value) implements Value {
        @Override public int bytes() { return Integer.BYTES; }
    }

    /** A {@code long long} / {@code int64_t}. */
    record I64(long value) implements Value {
        @Override public int bytes() { return Long.BYTES; }
    }

    private final List<Value> values = new ArrayList<>();

    /** A device pointer parameter; {@code null} passes a null pointer (an unused operand). */
    KernelArgs ptr(DeviceBuffer buffer) { return add(new Address(buffer == null ? 0 : buffer.address())); }

    KernelArgs i32(int value) { return add(new I32(value)); }

    KernelArgs i64(long value) { return add(new I64(value)); }

    List<Value> values() { return List.copyOf(values); }

    /** Each parameter's size in bytes, in order: checked against the PTX declaration before launching. */
    List<Integer> sizes() { return values.stream().map(Value::bytes).toList(); }

    private KernelArgs add(Value v) {
        values.add(v);
        return this;
    }
}

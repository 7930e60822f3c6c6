package dev.tokenmill.cuda;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

import java.util.ArrayList;
import java.util.List;

/**
 * A kernel's parameters in declaration order, as {@code cuLaunchKernel} takes them: an array of pointers to
 * each value. The values are copied at launch (and at graph capture), so one KernelArgs may be launched often.
 */
final class KernelArgs {
    private final List<Pointer> values = new ArrayList<>();
    private final List<Integer> sizes = new ArrayList<>();

    /** A device pointer parameter ({@code T*}); {@code null} passes a null pointer (an unused operand). */
    KernelArgs ptr(DeviceBuffer buffer) {
        values.add(Pointer.to(buffer == null ? new CUdeviceptr() : buffer.pointer()));
        sizes.add(Long.BYTES);
        return this;
    }

    /** An {@code int} parameter. */
    KernelArgs i32(int value) {
        values.add(Pointer.to(new int[]{value}));
        sizes.add(Integer.BYTES);
        return this;
    }

    /** A {@code long long} / {@code int64_t} parameter. */
    KernelArgs i64(long value) {
        values.add(Pointer.to(new long[]{value}));
        sizes.add(Long.BYTES);
        return this;
    }

    Pointer pointer() { return Pointer.to(values.toArray(Pointer[]::new)); }

    /** Each parameter's size in bytes, in order: checked against the PTX declaration before launching. */
    List<Integer> sizes() { return sizes; }
}

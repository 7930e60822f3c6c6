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

    /** A device pointer parameter ({@code T*}); {@code null} passes a null pointer (an unused operand). */
    KernelArgs ptr(DeviceBuffer buffer) {
        values.add(Pointer.to(buffer == null ? new CUdeviceptr() : buffer.pointer()));
        return this;
    }

    /** An {@code int} parameter. */
    KernelArgs i32(int value) {
        values.add(Pointer.to(new int[]{value}));
        return this;
    }

    /** A {@code long long} / {@code int64_t} parameter. */
    KernelArgs i64(long value) {
        values.add(Pointer.to(new long[]{value}));
        return this;
    }

    /** A {@code float} parameter. */
    KernelArgs f32(float value) {
        values.add(Pointer.to(new float[]{value}));
        return this;
    }

    Pointer pointer() { return Pointer.to(values.toArray(Pointer[]::new)); }

    int count() { return values.size(); }
}

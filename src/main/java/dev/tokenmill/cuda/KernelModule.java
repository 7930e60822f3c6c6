package dev.tokenmill.cuda;

import dev.tokenmill.backend.BackendException;
import jcuda.Pointer;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import static jcuda.driver.CUjit_option.*;
import static jcuda.driver.CUresult.CUDA_ERROR_NOT_FOUND;
import static jcuda.driver.CUresult.CUDA_SUCCESS;

/**
 * A kernel family's PTX, JIT-compiled by the driver into the current context; the JIT's error log is part of
 * the exception when compilation fails.
 */
final class KernelModule {
    private static final int LOG_BYTES = 64 * 1024;

    private final PtxSource source;
    private final CUmodule module;
    private final Map<String, KernelFunction> functions = new HashMap<>();

    private KernelModule(PtxSource source, CUmodule module) {
        this.source = source;
        this.module = module;
    }

    /**
     * JIT-compiles {@code ptx} with {@code cuModuleLoadDataEx}. A driver too old for the PTX's ISA gets a message
     * saying so before the driver is asked.
     */
    static KernelModule load(PtxSource ptx, int driverVersion) {
        PtxTarget.driverProblem(ptx.isa(), driverVersion).ifPresent(p -> { throw new BackendException(p); });
        int[] keys = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errorLog = arena.allocate(LOG_BYTES);
            // The option values are a void*[]: the buffer's address, and its size stored as a pointer-sized integer.
            MemorySegment values = arena.allocate(ValueLayout.JAVA_LONG, keys.length);
            values.setAtIndex(ValueLayout.JAVA_LONG, 0, errorLog.address());
            values.setAtIndex(ValueLayout.JAVA_LONG, 1, LOG_BYTES);
            byte[] text = ptx.text().getBytes(StandardCharsets.US_ASCII);
            byte[] image = Arrays.copyOf(text, text.length + 1); // NUL-terminated, as the driver reads it

            CUmodule module = new CUmodule();
            int result = JCudaDriver.cuModuleLoadDataEx(module, Pointer.to(image), keys.length, keys,
                    Pointer.to(values.asByteBuffer().order(ByteOrder.nativeOrder())));
            if (result != CUDA_SUCCESS) {
                String log = errorLog.getString(0).strip();
                throw new CudaException(result, CudaErrors.describe(result, "loading the " + ptx.family() + " kernels ("
                        + ptx.target() + ", PTX ISA " + ptx.isa() / 10 + "." + ptx.isa() % 10 + ")")
                        + (log.isEmpty() ? "" : "\nJIT log:\n" + log));
            }
            return new KernelModule(ptx, module);
        }
    }

    /** Whether the module holds a kernel of this name (an optional variant). */
    synchronized boolean has(String kernel) {
        if (functions.containsKey(kernel)) return true;
        CUfunction f = new CUfunction();
        int result = JCudaDriver.cuModuleGetFunction(f, module, kernel);
        if (result == CUDA_ERROR_NOT_FOUND) return false;
        CudaErrors.check(result, "cuModuleGetFunction(" + kernel + ")");
        functions.put(kernel, new KernelFunction(kernel, f, source.entry(kernel).orElseThrow(() -> new BackendException(
                "the driver found kernel " + kernel + " but its PTX declaration was not understood"))));
        return true;
    }

    /** The kernel named, which must exist (its absence means the PTX and this launcher disagree). */
    synchronized KernelFunction function(String kernel) {
        if (!has(kernel))
            throw new BackendException("kernel " + kernel + " is missing from " + PtxTarget.resource(source.family(),
                    source.target()) + ": the packaged PTX and this tokenmill build disagree");
        return functions.get(kernel);
    }
}

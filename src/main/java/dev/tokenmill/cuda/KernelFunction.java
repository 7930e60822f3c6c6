package dev.tokenmill.cuda;

import dev.tokenmill.backend.BackendException;
import jcuda.driver.CUfunction;
import jcuda.driver.JCudaDriver;

import static jcuda.driver.CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES;
import static jcuda.driver.CUfunction_attribute.CU_FUNC_ATTRIBUTE_NUM_REGS;

/** One kernel of a loaded module, and the one place kernels are launched. */
final class KernelFunction {
    /** Dynamic shared memory a kernel may use without opting in. */
    private static final int DEFAULT_DYNAMIC_SHARED = 48 * 1024;

    private final String name;
    private final CUfunction function;
    private final PtxSource.Entry declaration;
    private int dynamicSharedLimit = DEFAULT_DYNAMIC_SHARED;

    KernelFunction(String name, CUfunction function, PtxSource.Entry declaration) {
        this.name = name;
        this.function = function;
        this.declaration = declaration;
    }

    String name() { return name; }

    /** Registers per thread the JIT gave this kernel. */
    int registers() {
        int[] v = new int[1];
        CudaErrors.check(JCudaDriver.cuFuncGetAttribute(v, CU_FUNC_ATTRIBUTE_NUM_REGS, function), "cuFuncGetAttribute(" + name + ")");
        return v[0];
    }

    /**
     * Launches on {@code stream} (asynchronous: errors inside the kernel surface at the next synchronization).
     * Shared memory above 48 KiB is opted into once per kernel, as the driver requires. Parameters and block size
     * are checked against the PTX declaration first: the driver does not check them, and a mismatch would make the
     * kernel read garbage instead of failing.
     */
    synchronized void launch(Dim3 grid, Dim3 block, int sharedBytes, CudaStream stream, KernelArgs args) {
        if (!args.sizes().equals(declaration.paramBytes()))
            throw new BackendException("the launcher passes parameters of " + args.sizes() + " bytes to " + name
                    + ", whose PTX declares " + declaration.paramBytes() + ": launcher and kernels/ABI.md disagree");
        long threads = (long) block.x() * block.y() * block.z();
        if (declaration.maxThreads() > 0 && threads > declaration.maxThreads())
            throw new BackendException("block " + block + " has " + threads + " threads; " + name + " is built for at most "
                    + declaration.maxThreads());
        if (sharedBytes > dynamicSharedLimit) {
            CudaErrors.check(JCudaDriver.cuFuncSetAttribute(function, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                    sharedBytes), "allowing " + name + " " + sharedBytes + " bytes of shared memory");
            dynamicSharedLimit = sharedBytes;
        }
        CudaErrors.check(JCudaDriver.cuLaunchKernel(function, grid.x(), grid.y(), grid.z(), block.x(), block.y(), block.z(),
                sharedBytes, stream.handle(), args.pointer(), null),
                "launching " + name + " grid " + grid + " block " + block + " shared " + sharedBytes + " B");
    }
}

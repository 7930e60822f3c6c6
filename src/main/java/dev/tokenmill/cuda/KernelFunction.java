package dev.tokenmill.cuda;

import dev.tokenmill.backend.BackendException;

/**
 * One kernel of a loaded module, and the one place kernels are launched: every launch is checked against the
 * kernel's PTX declaration here, whichever {@link Driver} runs it.
 */
final class KernelFunction {
    /** Dynamic shared memory a kernel may use without opting in. */
    private static final int DEFAULT_DYNAMIC_SHARED = 48 * 1024;

    private final String name;
    private final Driver.Function function;
    private final PtxSource.Entry declaration;
    private int sharedLimit = DEFAULT_DYNAMIC_SHARED;

    KernelFunction(String name, Driver.Function function, PtxSource.Entry declaration) {
        this.name = name;
        this.function = function;
        this.declaration = declaration;
    }

    /**
     * Lets launches use up to {@code bytes} of dynamic shared memory: above 48 KiB the driver wants an opt-in. Called
     * by launchers when they are built, never during a graph capture.
     */
    synchronized KernelFunction allowShared(int bytes) {
        if (bytes > sharedLimit) {
            function.setMaxDynamicSharedBytes(bytes);
            sharedLimit = bytes;
        }
        return this;
    }

    /**
     * Launches on {@code stream} (asynchronous: errors inside the kernel surface at the next synchronization).
     * Parameters and block size are checked against the PTX declaration first: the driver does not check them,
     * and a mismatch would make the kernel read garbage instead of failing.
     */
    synchronized void launch(Dim3 grid, Dim3 block, int sharedBytes, Driver.Stream stream, KernelArgs args) {
        if (!args.sizes().equals(declaration.paramBytes()))
            throw new BackendException("the launcher passes parameters of " + args.sizes() + " bytes to " + name
                    + ", whose PTX declares " + declaration.paramBytes() + ": launcher and kernels/ABI.md disagree");
        long threads = (long) block.x() * block.y() * block.z();
        if (declaration.maxThreads() > 0 && threads > declaration.maxThreads())
            throw new BackendException("block " + block + " has " + threads + " threads; " + name + " is built for at most "
                    + declaration.maxThreads());
        if (sharedBytes > sharedLimit)
            throw new IllegalStateException(name + " launched with " + sharedBytes + " bytes of shared memory, allowed " + sharedLimit);
        function.launch(grid, block, sharedBytes, stream, args);
    }
}

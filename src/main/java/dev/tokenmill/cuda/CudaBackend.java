package dev.tokenmill.cuda;

/**
 * The GPU backend: tokenmill's PTX kernels (kernels/, packaged in the jar, or {@link PtxLibrary#ENV}'s directory)
 * JIT-compiled by the NVIDIA driver and launched through JCuda's driver API on the first visible GPU.
 */
public final class CudaBackend extends GpuBackend {
    public CudaBackend() { super("cuda", NvidiaDriver::open, PtxLibrary.fromEnvironment(System.getenv())); }
}

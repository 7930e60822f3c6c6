package dev.tokenmill.cuda;

import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

import static jcuda.driver.CUstream_flags.CU_STREAM_NON_BLOCKING;

/** A stream of its own (not the legacy default stream, so it can be captured into a graph). */
final class CudaStream implements AutoCloseable {
    private final CUstream stream = new CUstream();

    CudaStream() {
        CudaErrors.check(JCudaDriver.cuStreamCreate(stream, CU_STREAM_NON_BLOCKING), "cuStreamCreate");
    }

    CUstream handle() { return stream; }

    /** Waits for all work on the stream; a failed kernel's error surfaces here. */
    void synchronize() { CudaErrors.check(JCudaDriver.cuStreamSynchronize(stream), "cuStreamSynchronize (waiting for kernels)"); }

    @Override public void close() { CudaErrors.check(JCudaDriver.cuStreamDestroy(stream), "cuStreamDestroy"); }
}

package dev.tokenmill.cuda;

import jcuda.driver.CUevent;
import jcuda.driver.JCudaDriver;

import static jcuda.driver.CUevent_flags.CU_EVENT_DEFAULT;

/** A timing event: recorded into a stream, the device stamps it when the work before it is done. */
final class CudaEvent implements AutoCloseable {
    private final CUevent event = new CUevent();

    CudaEvent() {
        CudaErrors.check(JCudaDriver.cuEventCreate(event, CU_EVENT_DEFAULT), "cuEventCreate");
    }

    void record(CudaStream stream) { CudaErrors.check(JCudaDriver.cuEventRecord(event, stream.handle()), "cuEventRecord"); }

    /** Device milliseconds from {@code start} to this event, waiting for this one first. */
    float millisSince(CudaEvent start) {
        CudaErrors.check(JCudaDriver.cuEventSynchronize(event), "cuEventSynchronize (waiting for kernels)");
        float[] ms = new float[1];
        CudaErrors.check(JCudaDriver.cuEventElapsedTime(ms, start.event, event), "cuEventElapsedTime");
        return ms[0];
    }

    @Override public void close() { CudaErrors.check(JCudaDriver.cuEventDestroy(event), "cuEventDestroy"); }
}

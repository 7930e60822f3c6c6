package dev.tokenmill.cuda;

import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.JCudaDriver;

import static jcuda.driver.CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL;

/**
 * A sequence of launches captured once and replayed with one call: the device runs them back to back, so
 * host launch overhead (several microseconds per launch through JNI) does not show up as kernel time.
 */
final class CudaGraph implements AutoCloseable {
    private final CUgraphExec exec = new CUgraphExec();

    /** Captures what {@code launches} enqueues on {@code stream}, instantiates it and uploads it to the device. */
    CudaGraph(CudaStream stream, Runnable launches) {
        CUgraph graph = new CUgraph();
        CudaErrors.check(JCudaDriver.cuStreamBeginCapture(stream.handle(), CU_STREAM_CAPTURE_MODE_THREAD_LOCAL), "cuStreamBeginCapture");
        try {
            launches.run();
        } catch (RuntimeException e) {
            // End the capture anyway, so the stream stays usable; the launch's error is the one to report.
            if (JCudaDriver.cuStreamEndCapture(stream.handle(), graph) == 0) JCudaDriver.cuGraphDestroy(graph);
            throw e;
        }
        CudaErrors.check(JCudaDriver.cuStreamEndCapture(stream.handle(), graph), "cuStreamEndCapture");
        try {
            CudaErrors.check(JCudaDriver.cuGraphInstantiate(exec, graph, 0), "cuGraphInstantiate");
        } finally {
            CudaErrors.check(JCudaDriver.cuGraphDestroy(graph), "cuGraphDestroy");
        }
        CudaErrors.check(JCudaDriver.cuGraphUpload(exec, stream.handle()), "cuGraphUpload");
    }

    void launch(CudaStream stream) { CudaErrors.check(JCudaDriver.cuGraphLaunch(exec, stream.handle()), "cuGraphLaunch"); }

    @Override public void close() { CudaErrors.check(JCudaDriver.cuGraphExecDestroy(exec), "cuGraphExecDestroy"); }
}

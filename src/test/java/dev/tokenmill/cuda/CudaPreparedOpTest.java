package dev.tokenmill.cuda;

import dev.tokenmill.backend.PrepareOptions;
import dev.tokenmill.op.AppendSpec;
import dev.tokenmill.op.DType;
import dev.tokenmill.op.KvLayout;
import dev.tokenmill.op.OpSpec;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The timing of a prepared op on the {@link FakeGpu}, whose device clock is exact (no GPU needed). */
class CudaPreparedOpTest {
    /** A KV append: one tiny kernel per call, the launch-bound kind. */
    private static final OpSpec APPEND = AppendSpec.uniform(1, 8, 128, 64, KvLayout.PAGED, 16, DType.BF16);

    @Test
    void aKernelShorterThanTheLaunchCostIsTimedAtItsDeviceTime() {
        FakeGpu gpu = new FakeGpu(); // 5 us to enqueue a launch or a graph replay, 1 us to run the kernel
        try (CudaPreparedOp op = prepare(gpu, APPEND, PrepareOptions.single())) {
            op.secondsPerCall(1); // the first timing sizes the graph
            int graphs = gpu.graphsCaptured();
            for (int calls : new int[]{1, 1, 7, 1000})
                assertEquals(1e-6, op.secondsPerCall(calls), 1e-6 * 1e-3, calls + " calls");
            assertEquals(graphs, gpu.graphsCaptured(), "one graph, captured once and replayed");

            int perReplay = op.timedCalls(1);
            assertTrue(perReplay * 1e-6 >= CudaPreparedOp.MIN_REPLAY_SECONDS, "a replay lasts long enough: " + perReplay + " calls");
            assertEquals(perReplay, op.timedCalls(perReplay));
            assertEquals(2 * perReplay, op.timedCalls(perReplay + 1), "whole replays");
        }
    }

    @Test
    void replaysShorterThanTheirOwnLaunchAreStillTimedAtDeviceTime() {
        FakeGpu gpu = new FakeGpu();
        gpu.kernelNanos = name -> 250; // 20 calls of this kernel run in the time one launch takes to enqueue
        try (CudaPreparedOp op = prepare(gpu, APPEND, PrepareOptions.single())) {
            op.secondsPerCall(800);
            assertEquals(250e-9, op.secondsPerCall(800), 250e-9 * 1e-3);
            assertEquals(250e-9, op.secondsPerCall(1), 250e-9 * 1e-3);
        }
    }

    @Test
    void callsRotateThroughEverySetInsideTheGraph() {
        FakeGpu gpu = new FakeGpu();
        gpu.kernelNanos = name -> 40_000;
        try (CudaPreparedOp op = prepare(gpu, APPEND, PrepareOptions.rotating(5 * 1024 * 1024))) {
            assertTrue(op.sets() > 1, op.sets() + " sets");
            assertEquals(40e-6, op.secondsPerCall(1), 40e-9);
            assertEquals(0, op.timedCalls(1) % op.sets(), "whole rotations: " + op.timedCalls(1) + " calls, " + op.sets() + " sets");
        }
    }

    @Test
    void slowKernelsAreNotRunTwiceForFillers() {
        FakeGpu gpu = new FakeGpu();
        gpu.kernelNanos = name -> 50_000_000; // 50 ms: the host's few microseconds of enqueue are lost in it
        try (CudaPreparedOp op = prepare(gpu, APPEND, PrepareOptions.single())) {
            op.secondsPerCall(1);
            assertEquals(1, op.timedCalls(1), "one call already outlasts a launch");
            long busy = gpu.deviceBusyNanos();
            assertEquals(50e-3, op.secondsPerCall(1), 50e-3 * 1e-3);
            assertEquals(50_000_000, gpu.deviceBusyNanos() - busy, "no filler call beside the timed one");
        }
    }

    /** The graph being sized is the op's only once a replay was timed: a timing that fails must not leave it behind. */
    @Test
    void aTimingThatFailsLeavesNoGraphBehind() {
        FakeGpu gpu = new FakeGpu();
        gpu.eventFailure = "CUDA_ERROR_LAUNCH_FAILED";
        try (CudaPreparedOp op = prepare(gpu, APPEND, PrepareOptions.single())) {
            assertThrows(CudaException.class, () -> op.secondsPerCall(1));
            assertThrows(CudaException.class, () -> op.secondsPerCall(1));
        }
        assertEquals(2, gpu.graphsCaptured());
        assertEquals(gpu.graphsCaptured(), gpu.graphsClosed(), "every graph captured is destroyed");
    }

    private static CudaPreparedOp prepare(FakeGpu gpu, OpSpec spec, PrepareOptions options) {
        return CudaPreparedOp.prepare(new CudaDevice(gpu.open()), spec, options, gpu::hostNanos);
    }
}

package dev.tokenmill.cuda;

import dev.tokenmill.backend.BackendException;
import dev.tokenmill.backend.PrepareOptions;
import dev.tokenmill.backend.PreparedOp;
import dev.tokenmill.op.AppendSpec;
import dev.tokenmill.op.CopySpec;
import dev.tokenmill.op.DType;
import dev.tokenmill.op.KvLayout;
import dev.tokenmill.op.OpSpec;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A {@link GpuBackend} over the {@link FakeGpu}: what it holds of the device, and when it lets go. */
class GpuBackendTest {
    private static final OpSpec APPEND = AppendSpec.uniform(2, 8, 128, 100, KvLayout.PAGED, 16, DType.BF16);

    @Test
    void closeReleasesTheDeviceAndItsModules() {
        FakeGpu gpu = new FakeGpu();
        GpuBackend backend = new GpuBackend("fake-gpu", gpu::open);
        assertTrue(backend.availability().available(), backend.availability().reason());
        try (PreparedOp op = backend.prepare(APPEND, PrepareOptions.single())) {
            op.secondsPerCall(1);
        }
        assertEquals(0, gpu.liveAllocations(), "the op freed its memory");
        assertEquals(1, gpu.opens());
        assertEquals(0, gpu.closes(), "open while the backend is");

        backend.close();
        assertEquals(1, gpu.closes(), "the context released");
        assertTrue(gpu.modulesLoaded() > 0);
        assertEquals(gpu.modulesLoaded(), gpu.modulesUnloaded(), "every module unloaded");

        // it still says what it found, and opens the device again when asked to run something
        assertEquals("Fake GPU", backend.device().name());
        try (PreparedOp op = backend.prepare(APPEND, PrepareOptions.single())) {
            op.run();
        }
        assertEquals(2, gpu.opens());
        backend.close();
        backend.close();
        assertEquals(2, gpu.closes(), "closing twice releases once");
    }

    @Test
    void aBackendThatCannotRunItsKernelsSaysWhyAndHoldsNothing() {
        FakeGpu gpu = new FakeGpu();
        gpu.ptxRefusal = "this driver is too old for the kernels' PTX";
        GpuBackend backend = new GpuBackend("fake-gpu", gpu::open);
        assertEquals("this driver is too old for the kernels' PTX", backend.availability().reason());
        assertEquals(gpu.opens(), gpu.closes(), "released at once");
        assertEquals("this driver is too old for the kernels' PTX", backend.device().properties().get("reason"));
    }

    @Test
    void aDriverThatDoesNotOpenGivesItsReason() {
        GpuBackend backend = new GpuBackend("fake-gpu", () -> { throw new BackendException("no fake GPU is plugged in"); });
        assertEquals("no fake GPU is plugged in", backend.availability().reason());
        var e = assertThrows(BackendException.class, () -> backend.prepare(APPEND, PrepareOptions.single()));
        assertEquals("the fake-gpu backend does not work here: no fake GPU is plugged in", e.getMessage());
        backend.close();
    }

    @Test
    void rotationTakesAtMostHalfTheFreeMemory() {
        FakeGpu gpu = new FakeGpu();
        gpu.memoryBytes = 1L << 30;
        CopySpec copy = new CopySpec(16L << 20); // a set is 32 MiB: src and dst
        try (GpuBackend backend = new GpuBackend("fake-gpu", gpu::open);
             PreparedOp op = backend.prepare(copy, PrepareOptions.rotating(1L << 30))) {
            assertEquals(16, op.sets(), "half of 1 GiB in sets of 32 MiB, not the 32 sets the working set asks for");
            assertEquals(16L * (32L << 20), gpu.allocatedBytes());
        }
    }
}

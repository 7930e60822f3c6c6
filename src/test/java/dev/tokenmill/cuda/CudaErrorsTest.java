package dev.tokenmill.cuda;

import dev.tokenmill.backend.BackendException;
import org.junit.jupiter.api.Test;

import static jcuda.driver.CUresult.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CudaErrorsTest {
    @Test
    void errorsAreNamedAsTheDriverNamesThem() {
        assertEquals("CUDA_ERROR_OUT_OF_MEMORY", CudaErrors.name(CUDA_ERROR_OUT_OF_MEMORY));
        assertEquals("CUDA_ERROR_NO_DEVICE", CudaErrors.name(CUDA_ERROR_NO_DEVICE));
        assertEquals("CUDA_ERROR_UNSUPPORTED_PTX_VERSION", CudaErrors.name(CUDA_ERROR_UNSUPPORTED_PTX_VERSION));
        assertEquals("CUDA error 9999", CudaErrors.name(9999));
    }

    @Test
    void commonErrorsSayWhatToDo() {
        String oom = CudaErrors.describe(CUDA_ERROR_OUT_OF_MEMORY, "cuMemAlloc(1.00 GiB)");
        assertTrue(oom.startsWith("cuMemAlloc(1.00 GiB) failed: CUDA_ERROR_OUT_OF_MEMORY"), oom);
        assertTrue(oom.contains("too little free memory"), oom);
        assertTrue(CudaErrors.describe(CUDA_ERROR_NO_DEVICE, "cuInit").contains("nvidia-smi"));
        assertTrue(CudaErrors.describe(CUDA_ERROR_UNSUPPORTED_PTX_VERSION, "loading").contains("R535"));
        assertTrue(CudaErrors.describe(CUDA_ERROR_ILLEGAL_ADDRESS, "cuStreamSynchronize").contains("compute-sanitizer"));
        assertTrue(CudaErrors.describe(CUDA_ERROR_STUB_LIBRARY, "cuInit").contains("stub"));
        assertEquals("cuX failed: CUDA error 9999", CudaErrors.describe(9999, "cuX"), "no driver here, so no meaning text");
        String fabric = CudaErrors.describe(CUDA_ERROR_SYSTEM_NOT_READY, "cuInit");
        assertTrue(fabric.startsWith("cuInit failed: CUDA_ERROR_SYSTEM_NOT_READY") && fabric.contains("nvidia-fabricmanager")
                && fabric.contains("NVSwitch"), fabric);
    }

    @Test
    void failedCallsThrowABackendException() {
        CudaErrors.check(CUDA_SUCCESS, "cuInit");
        var e = assertThrows(CudaException.class, () -> CudaErrors.check(CUDA_ERROR_OUT_OF_MEMORY, "cuMemAlloc(8 B)"));
        assertInstanceOf(BackendException.class, e);
        assertEquals(CUDA_ERROR_OUT_OF_MEMORY, e.result());
        assertTrue(e.getMessage().contains("CUDA_ERROR_OUT_OF_MEMORY"), e.getMessage());
    }
}

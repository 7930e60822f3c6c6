package dev.tokenmill.cuda;

import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

import static jcuda.driver.CUresult.*;

/**
 * Turns {@code CUresult} codes into exceptions a user can act on. JCuda's own exceptions are left disabled:
 * every driver call goes through {@link #check}, so each failure names the call, the error
 * ({@code cuGetErrorName}), its meaning ({@code cuGetErrorString}) and, for the common ones, what to do.
 */
public final class CudaErrors {
    private CudaErrors() {}

    /** Throws a {@link CudaException} unless {@code result} is {@code CUDA_SUCCESS}. */
    static void check(int result, String call) {
        if (result != CUDA_SUCCESS) throw new CudaException(result, describe(result, call));
    }

    /** One message: {@code cuMemAlloc(1 GiB) failed: CUDA_ERROR_OUT_OF_MEMORY (out of memory). advice}. */
    public static String describe(int result, String call) {
        String meaning = meaning(result);
        String advice = advice(result);
        return call + " failed: " + name(result) + (meaning.isEmpty() ? "" : " (" + meaning + ")")
                + (advice.isEmpty() ? "" : ". " + advice);
    }

    /** The error's name, e.g. {@code CUDA_ERROR_OUT_OF_MEMORY}; {@code CUDA error 9999} for unknown codes. */
    public static String name(int result) {
        String s = CUresult.stringFor(result);
        return s.startsWith("INVALID") ? "CUDA error " + result : s;
    }

    /** The driver's own description when the driver is loaded, else empty. */
    static String meaning(int result) {
        if (!NvidiaProbe.loaded()) return "";
        String[] text = new String[1];
        try {
            return JCudaDriver.cuGetErrorString(result, text) == CUDA_SUCCESS && text[0] != null ? text[0] : "";
        } catch (LinkageError e) {
            return "";
        }
    }

    /** A sentence on what to do, for the errors users meet; empty for the rest. */
    public static String advice(int result) {
        return switch (result) {
            case CUDA_ERROR_OUT_OF_MEMORY -> "The GPU has too little free memory for this shape and working set: "
                    + "choose a smaller shape or working set, or stop other processes on the GPU (nvidia-smi lists them)";
            case CUDA_ERROR_NO_DEVICE -> "The driver sees no CUDA GPU: check nvidia-smi, and CUDA_VISIBLE_DEVICES if it is set";
            case CUDA_ERROR_DEVICE_UNAVAILABLE -> "The GPU is busy or unavailable (exclusive compute mode with another process on it, "
                    + "or a MIG instance not assigned): nvidia-smi shows its mode and processes";
            case CUDA_ERROR_STUB_LIBRARY -> "libcuda.so.1 here is the CUDA toolkit's stub, not a driver: install the NVIDIA "
                    + "driver, or remove the toolkit's stubs directory from LD_LIBRARY_PATH";
            case CUDA_ERROR_SYSTEM_NOT_READY -> "A service the driver needs is not running: on NVSwitch systems (HGX and DGX "
                    + "A100, H100, H200, B200) start the fabric manager (systemctl start nvidia-fabricmanager; its version must "
                    + "match the driver's), then retry";
            case CUDA_ERROR_SYSTEM_DRIVER_MISMATCH -> "The loaded kernel driver and libcuda.so.1 have different versions: "
                    + "reboot after a driver update, or reinstall the driver";
            case CUDA_ERROR_UNSUPPORTED_PTX_VERSION -> "The kernels' PTX is newer than this driver can compile: "
                    + PtxTarget.DRIVER_ADVICE;
            case CUDA_ERROR_INVALID_PTX, CUDA_ERROR_INVALID_IMAGE -> "The driver's JIT compiler rejected the PTX (its log follows)";
            case CUDA_ERROR_NO_BINARY_FOR_GPU -> "The PTX targets a newer GPU architecture than this device's";
            case CUDA_ERROR_JIT_COMPILER_NOT_FOUND -> "The driver's PTX JIT compiler (libnvidia-ptxjitcompiler.so) is missing: "
                    + "reinstall the driver, or in a container enable the 'compute' driver capability";
            case CUDA_ERROR_ILLEGAL_ADDRESS, CUDA_ERROR_LAUNCH_FAILED, CUDA_ERROR_MISALIGNED_ADDRESS ->
                    "A kernel accessed memory it does not own; the CUDA context is lost until the process exits. "
                    + "compute-sanitizer --tool memcheck finds the access";
            case CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES -> "The launch needs more registers or shared memory per block than the device has";
            case CUDA_ERROR_LAUNCH_TIMEOUT -> "A kernel ran into the display watchdog: use a GPU without a display attached, or smaller shapes";
            default -> "";
        };
    }
}

package dev.tokenmill.cuda;

import dev.tokenmill.backend.BackendException;

/** A CUDA driver call that failed: which call, the error's name and meaning, and what to do about it. */
public final class CudaException extends BackendException {
    private final int result;

    CudaException(int result, String message) {
        super(message);
        this.result = result;
    }

    /** The {@code CUresult} code, e.g. 2 for {@code CUDA_ERROR_OUT_OF_MEMORY}. */
    public int result() { return result; }
}

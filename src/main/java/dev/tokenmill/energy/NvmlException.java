package dev.tokenmill.energy;

/** An NVML call that returned an error: the function's name, the status and NVML's own words for it. */
public final class NvmlException extends RuntimeException {
    private final int status;

    NvmlException(String function, int status, String message) {
        super(function + ": " + message + " (nvmlReturn_t " + status + ")");
        this.status = status;
    }

    public int status() { return status; }
}

package dev.tokenmill.backend;

/** Work whose calls the device can time: what {@code measure/Timer} needs of a prepared op or a peak probe. */
public interface Timed {
    /**
     * Runs {@code calls} calls back to back and returns the seconds per call measured by the device's own clock
     * (CUDA events on a GPU, {@code System.nanoTime} on the CPU), so launch overhead is not counted as kernel time
     * where the device can hide it.
     */
    double secondsPerCall(int calls);
}

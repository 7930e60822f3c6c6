package dev.tokenmill.backend;

/** Work whose calls the device can time: what {@code measure/Timer} needs of a prepared op or a peak probe. */
public interface Timed {
    /**
     * Runs {@link #timedCalls}{@code (calls)} calls back to back and returns the seconds per call measured by the
     * device's own clock: on a GPU, CUDA events (around replays of a CUDA graph of many calls, for ops), so launch
     * overhead is not counted as kernel time; on the CPU, {@code System.nanoTime}.
     */
    double secondsPerCall(int calls);

    /**
     * How many calls {@code secondsPerCall(calls)} times: {@code calls}, or more where the device times whole
     * batches (a GPU replays whole graphs). A sample of {@code secondsPerCall} is the mean over that many calls.
     */
    default int timedCalls(int calls) { return calls; }
}

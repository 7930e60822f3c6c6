package dev.tokenmill.rollup;

/**
 * What was measured for one op at one shape: the median device time per call and, where an energy window was
 * long enough to give it, the energy per call.
 *
 * @param joulesPerCall null when the energy was not measured
 */
public record Measured(double secondsPerCall, Double joulesPerCall) {
    public Measured {
        if (!(secondsPerCall > 0) || Double.isInfinite(secondsPerCall))
            throw new IllegalArgumentException("seconds per call must be a positive number, got " + secondsPerCall);
        if (joulesPerCall != null && (!(joulesPerCall > 0) || joulesPerCall.isInfinite()))
            throw new IllegalArgumentException("joules per call must be a positive number or absent, got " + joulesPerCall);
    }

    public static Measured time(double secondsPerCall) { return new Measured(secondsPerCall, null); }
}

package dev.tokenmill.reference;

/**
 * The outcome of checking one kernel call against the float64 reference. {@code maxRelErr} is the largest
 * {@code |got - expected| / (|expected| + rms(expected))} over the checked elements (the rms term keeps
 * near-zero expected values from dominating); NaN anywhere fails.
 */
public record Verification(boolean passed, double maxRelErr, double tolerance, long checked, String worst) {
    public String summary() {
        return (passed ? "ok" : "FAILED") + String.format(" (max_rel_err %.3g, tolerance %.1g, %d elements checked%s)",
                maxRelErr, tolerance, checked, passed ? "" : "; worst " + worst);
    }
}

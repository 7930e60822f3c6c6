package dev.tokenmill.reference;

import java.util.Locale;

/**
 * The outcome of checking one kernel call against the float64 reference. An element passes when it is within its
 * error bound ({@link Bounds}), or equal when its bound is zero (bit for bit); NaN anywhere fails.
 *
 * @param maxRelErr  the largest {@code |got - expected| / (|expected| + rms)} over the checked elements, the rms of the
 *                   expected values computed with it (its row, or its KV head's part of the row) keeping near-zero
 *                   expected values from dominating
 * @param tolerance  the largest relative error (same measure) the bounds allowed anywhere: a passing check has
 *                   {@code maxRelErr <= tolerance}; 0 when every element is compared bit for bit
 * @param checked    elements compared
 * @param worst      the failing (or, when all pass, the tightest) element: its index, value and expected value
 * @param maxUlpErr  the largest {@code |got - expected|} in units of the output dtype's ulp at the same scale as
 *                   {@code maxRelErr}'s ({@code |expected| + rms}): 0.5 is a correctly rounded result
 * @param boundUse   the largest {@code |got - expected| / bound}: at most 1 to pass (infinite for a bit-for-bit miss)
 * @param exact      how many of the checked elements were held bit for bit
 * @param outputs    output elements the op has: {@code checked < outputs} when a large shape was sampled
 * @param failure    which check failed, {@link Failure#NONE} when it passed
 */
public record Verification(boolean passed, double maxRelErr, double tolerance, long checked, String worst,
                           double maxUlpErr, double boundUse, long exact, long outputs, Failure failure) {

    /** The check an element failed. */
    public enum Failure {
        NONE("none"),
        /** Still NaN: never written (outputs start poisoned). */
        NOT_WRITTEN("not written"),
        /** Differs from an expected value it had to match exactly (exact GEMM outputs, appends, copies, the rest of a cache). */
        BIT_FOR_BIT("bit for bit"),
        /** Further from the reference than its error bound. */
        ERROR_BOUND("error bound"),
        /**
         * The PTX emulator found something wrong while the kernel ran (an access out of bounds, a race, a barrier or
         * collective not reached by all, a read of memory nobody wrote), whatever the values: a GPU may give other
         * values, or crash, on the next run.
         */
        FINDING("emulator finding");

        private final String text;

        Failure(String text) { this.text = text; }

        @Override public String toString() { return text; }
    }

    /** An outcome without per-element bounds (test doubles, and results made before bounds existed). */
    public Verification(boolean passed, double maxRelErr, double tolerance, long checked, String worst) {
        this(passed, maxRelErr, tolerance, checked, worst, Double.NaN, Double.NaN, 0, checked,
                passed ? Failure.NONE : Failure.ERROR_BOUND);
    }

    /**
     * This outcome failed by a finding of the PTX emulator ({@code finding}: its kind, kernel, PTX line, block, thread
     * and address); the values' own verdict stays in the figures, and their worst element joins the text when they
     * failed too.
     */
    public Verification failedBy(String finding) {
        String text = passed || worst.isEmpty() ? finding : finding + "; and the values fail too (" + failure + "): " + worst;
        return new Verification(false, maxRelErr, tolerance, checked, text, maxUlpErr, boundUse, exact, outputs, Failure.FINDING);
    }

    public String summary() {
        StringBuilder s = new StringBuilder(passed ? "ok" : "FAILED");
        s.append(String.format(Locale.ROOT, " (max_rel_err %.3g, tolerance %.1g, ", maxRelErr, tolerance));
        s.append(checked == outputs ? checked + " elements checked" : checked + " of " + outputs + " elements checked (sampled)");
        if (exact > 0) s.append(", ").append(exact == checked ? "all" : String.valueOf(exact)).append(" bit for bit");
        if (!Double.isNaN(boundUse) && exact < checked)
            s.append(String.format(Locale.ROOT, "; max %.3g ulp, %.2g of the error bound", maxUlpErr, boundUse));
        if (!passed) s.append(failure == Failure.FINDING ? "; " : "; worst ").append(worst);
        return s.append(')').toString();
    }
}

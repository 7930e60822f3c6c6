package dev.tokenmill.ptx.count;

/**
 * Theoretical occupancy of a launch configuration on one SM: resident CTAs are bounded by threads (warps),
 * the CTA slot count, shared memory and, when the caller knows them (ptxas reports, not the PTX {@code .reg}
 * declarations), registers.
 *
 * @param limiter what bounds the resident CTAs: "warps", "ctas", "shared memory", "registers" or "none fit"
 */
public record Occupancy(int ctasPerSm, int warpsPerSm, double fraction, String limiter) {

    /**
     * @param registersPerThread 0 to leave registers out
     */
    public static Occupancy of(SmSpec sm, int threadsPerCta, int sharedPerCta, int registersPerThread) {
        int warpsPerCta = (threadsPerCta + 31) / 32;
        int byWarps = sm.maxWarps() / warpsPerCta;
        int ctas = Math.min(byWarps, sm.maxCtas());
        String limiter = byWarps <= sm.maxCtas() ? "warps" : "ctas";
        if (sharedPerCta > sm.maxSharedPerCta()) return new Occupancy(0, 0, 0, "none fit");
        int smem = sharedPerCta + sm.reservedSharedPerCta();
        int byShared = sm.sharedBytes() / smem;
        if (byShared < ctas) {
            ctas = byShared;
            limiter = "shared memory";
        }
        if (registersPerThread > 0) {
            // registers are allocated per warp in units of 256
            int perWarp = (registersPerThread * 32 + 255) / 256 * 256;
            int byRegs = sm.registers() / (perWarp * warpsPerCta);
            if (byRegs < ctas) {
                ctas = byRegs;
                limiter = "registers";
            }
        }
        if (ctas == 0) return new Occupancy(0, 0, 0, "none fit");
        return new Occupancy(ctas, ctas * warpsPerCta, (double) (ctas * warpsPerCta) / sm.maxWarps(), limiter);
    }
}

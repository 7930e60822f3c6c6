package dev.tokenmill.ptx.exec;

import dev.tokenmill.ptx.check.Finding;
import dev.tokenmill.ptx.count.Counters;
import dev.tokenmill.ptx.count.Occupancy;
import dev.tokenmill.ptx.count.SmSpec;

import java.util.List;

/**
 * What one launch did: its configuration, its counters (facts, not timings) and its findings (distinct
 * kind and line, each with an occurrence count; {@code findingsTotal} counts every occurrence).
 * {@code cpuNanos} is not about the kernel: the CPU time the interpreter's worker threads spent on the
 * launch (-1 where the JVM does not measure thread CPU time), which says how fast the emulator ran; it
 * differs from run to run, so two reports of the same launch are equal only in their other components.
 */
public record LaunchReport(String kernel, Dim3 grid, Dim3 block, int staticShared, int dynamicShared,
                           Counters counters, List<Finding> findings, long findingsTotal, long cpuNanos) {

    public boolean clean() {
        return findingsTotal == 0;
    }

    public int sharedPerCta() {
        return staticShared + dynamicShared;
    }

    /** Theoretical occupancy of this launch's block size and shared memory on {@code sm}, registers left out. */
    public Occupancy occupancy(SmSpec sm) {
        return Occupancy.of(sm, (int) block.count(), sharedPerCta(), 0);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(kernel).append(" grid ").append(grid).append(" block ").append(block).append(" shared ")
                .append(staticShared).append(" static + ").append(dynamicShared).append(" dynamic bytes\n");
        sb.append(counters);
        for (SmSpec sm : List.of(SmSpec.A100, SmSpec.H100)) {
            Occupancy o = occupancy(sm);
            sb.append(String.format(java.util.Locale.ROOT, "%-52s %d CTAs, %d warps/SM = %.0f%% (%s)%n",
                    "theoretical occupancy " + sm.name(), o.ctasPerSm(), o.warpsPerSm(), 100 * o.fraction(), o.limiter()));
        }
        sb.append(findingsTotal == 0 ? "no findings\n" : findingsTotal + " findings:\n");
        for (Finding f : findings) sb.append("  ").append(f).append('\n');
        return sb.toString();
    }
}

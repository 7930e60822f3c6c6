package dev.tokenmill.cuda;

import dev.tokenmill.backend.KernelCounters;
import dev.tokenmill.ptx.check.Finding;
import dev.tokenmill.ptx.check.FindingKind;
import dev.tokenmill.ptx.count.Counters;
import dev.tokenmill.ptx.count.Occupancy;
import dev.tokenmill.ptx.count.SmSpec;
import dev.tokenmill.ptx.exec.LaunchReport;
import dev.tokenmill.ptx.ir.OpClass;
import dev.tokenmill.reference.Verification;

import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What an inspecting {@link Driver} saw inside the launches of one call: findings, which fail the call's verification
 * whatever its values, and counters, summed over the launches.
 */
record Inspection(List<KernelRun> runs) {
    /** The SM whose limits theoretical occupancy is computed for: the emulated device is an sm_80. */
    static final SmSpec OCCUPANCY_SM = SmSpec.A100;
    /** Findings spelled out in a failed verification; the rest are counted. */
    private static final int FINDINGS_NAMED = 3;

    Inspection {
        runs = List.copyOf(runs);
    }

    /** Every finding of every launch, in launch order. */
    List<Finding> findings() {
        return runs.stream().flatMap(r -> r.report().findings().stream()).toList();
    }

    /**
     * {@code values} (the host's check of the outputs), failed by the findings when there are any: the first few in
     * full, the rest counted by kind. Kinds come in {@link FindingKind}'s order (memcheck, racecheck, synccheck, cp.async,
     * initcheck), so that a race comes before the reads of unwritten memory it causes; launch order within a kind.
     */
    Verification judge(Verification values) {
        List<Finding> all = findings().stream().sorted(Comparator.comparing(Finding::kind)).toList();
        if (all.isEmpty()) return values;
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < Math.min(FINDINGS_NAMED, all.size()); i++) text.append(i == 0 ? "" : "; ").append(all.get(i));
        if (all.size() > FINDINGS_NAMED) {
            Map<FindingKind, Long> rest = all.subList(FINDINGS_NAMED, all.size()).stream()
                    .collect(Collectors.groupingBy(Finding::kind, () -> new EnumMap<>(FindingKind.class),
                            Collectors.counting()));
            text.append("; and ").append(all.size() - FINDINGS_NAMED).append(" more: ").append(rest.entrySet().stream()
                    .map(e -> e.getValue() + " " + e.getKey().tool + " " + e.getKey()).collect(Collectors.joining(", ")));
        }
        return values.failedBy(text.toString());
    }

    /** The call's counters: summed over its launches, each launch listed with its theoretical occupancy. */
    KernelCounters counters() {
        Counters sum = new Counters();
        runs.forEach(r -> sum.add(r.report().counters()));
        Map<String, Long> byClass = new LinkedHashMap<>();
        for (OpClass c : OpClass.values()) {
            long n = sum.warpInstructions(c);
            if (n > 0) byClass.put(c.name().toLowerCase(Locale.ROOT), n);
        }
        return new KernelCounters(runs.stream().map(r -> launch(r.report())).toList(), byClass, sum.threadInstructions,
                sum.tensorFlops(),
                new KernelCounters.Traffic(sum.globalLoadRequests, sum.globalLoadSectors, sum.globalLoadBytes),
                new KernelCounters.Traffic(sum.globalStoreRequests, sum.globalStoreSectors, sum.globalStoreBytes),
                new KernelCounters.Shared(sum.sharedLoadRequests, sum.sharedLoadWavefronts, sum.sharedLoadBankConflicts()),
                new KernelCounters.Shared(sum.sharedStoreRequests, sum.sharedStoreWavefronts,
                        sum.sharedStoreBankConflicts()),
                sum.ldmatrixRequests, sum.ldmatrixWavefronts,
                sum.cpAsyncBytes, sum.cpAsyncSourceBytes, sum.barriers, cpuNanos());
    }

    /** The emulator's CPU time over the launches, or -1 if any launch could not measure it. */
    private long cpuNanos() {
        long sum = 0;
        for (KernelRun r : runs) {
            if (r.report().cpuNanos() < 0) return -1;
            sum += r.report().cpuNanos();
        }
        return sum;
    }

    private static KernelCounters.Launch launch(LaunchReport r) {
        Occupancy o = r.occupancy(OCCUPANCY_SM);
        return new KernelCounters.Launch(r.kernel(), r.grid().toString(), r.block().toString(), r.sharedPerCta(),
                OCCUPANCY_SM.name(), o.ctasPerSm(), o.warpsPerSm(), o.fraction(), o.limiter());
    }
}

package dev.tokenmill.cuda;

import dev.tokenmill.backend.EntryTally;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Per kernel entry point of one device, what an inspecting driver reported so far: launches, verified calls that
 * launched it (passed or failed) and findings. Entries are keyed by family and name, so that the table can list
 * every entry of the loaded modules, those never launched with zeros.
 */
final class EntryLedger {
    /** Launches, passed calls, failed calls, findings: the columns of {@link EntryTally}. */
    private final Map<String, long[]> counts = new HashMap<>();

    /**
     * Adds {@code runs}: one call's launches when {@code passed} is its verdict, launches no verification judged when
     * {@code passed} is null.
     */
    synchronized void record(List<KernelRun> runs, Boolean passed) {
        Set<String> launched = new LinkedHashSet<>();
        for (KernelRun r : runs) {
            long[] c = counts.computeIfAbsent(key(r.family(), r.kernel()), k -> new long[4]);
            c[0]++;
            c[3] += r.report().findings().size();
            launched.add(key(r.family(), r.kernel()));
        }
        if (passed != null) for (String k : launched) counts.get(k)[passed ? 1 : 2]++;
    }

    /** Every entry of {@code modules} (family to its PTX, in load order), in file order. */
    synchronized List<EntryTally> tallies(Map<String, PtxSource> modules) {
        List<EntryTally> out = new ArrayList<>();
        modules.forEach((family, ptx) -> {
            for (String entry : ptx.entries()) {
                long[] c = counts.getOrDefault(key(family, entry), new long[4]);
                out.add(new EntryTally(family, entry, c[0], c[1], c[2], c[3]));
            }
        });
        return out;
    }

    private static String key(String family, String kernel) { return family + "/" + kernel; }
}

package dev.tokenmill.ptx.check;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects findings of one CTA (or of a whole launch, when merged): the first occurrence of each kind at
 * each line is kept in full, later ones only counted, and at most {@code cap} distinct ones are kept.
 * Not thread-safe: one per worker, merged in CTA order so that reports are deterministic.
 */
public final class Findings {
    private final int cap;
    private final Map<Long, Finding> first = new LinkedHashMap<>();
    private final Map<Long, long[]> counts = new LinkedHashMap<>();
    private long total;

    public Findings(int cap) {
        this.cap = cap;
    }

    public boolean isEmpty() {
        return total == 0;
    }

    /** Called on the slow path only, so building the finding here costs nothing when all is well. */
    public void add(Finding f) {
        total++;
        long key = ((long) f.kind().ordinal() << 32) | (f.line() & 0xFFFFFFFFL);
        long[] n = counts.get(key);
        if (n != null) {
            n[0]++;
            return;
        }
        if (first.size() >= cap) return;
        first.put(key, f);
        counts.put(key, new long[] {1});
    }

    /** Whether another finding of this kind at this line would only be counted (saves building it). */
    public boolean seen(FindingKind kind, int line) {
        long key = ((long) kind.ordinal() << 32) | (line & 0xFFFFFFFFL);
        return counts.containsKey(key) || first.size() >= cap;
    }

    /** Counts one more occurrence without building the finding (after {@link #seen} said so). */
    public void count(FindingKind kind, int line) {
        total++;
        long[] n = counts.get(((long) kind.ordinal() << 32) | (line & 0xFFFFFFFFL));
        if (n != null) n[0]++;
    }

    public void addAll(Findings other) {
        for (var e : other.first.entrySet()) {
            long n = other.counts.get(e.getKey())[0];
            long[] mine = counts.get(e.getKey());
            if (mine != null) {
                mine[0] += n;
            } else if (first.size() < cap) {
                first.put(e.getKey(), e.getValue());
                counts.put(e.getKey(), new long[] {n});
            }
        }
        total += other.total;
    }

    /** Every finding (distinct kind and line), with its occurrence count. */
    public List<Finding> list() {
        List<Finding> out = new ArrayList<>();
        for (var e : first.entrySet()) out.add(e.getValue().withOccurrences(counts.get(e.getKey())[0]));
        return out;
    }

    /** Every occurrence, including those only counted. */
    public long total() {
        return total;
    }
}

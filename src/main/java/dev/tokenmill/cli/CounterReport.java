package dev.tokenmill.cli;

import dev.tokenmill.backend.Bytes;
import dev.tokenmill.backend.KernelCounters;
import dev.tokenmill.op.OpSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The counters of one op call (the PTX emulator's: {@link KernelCounters}) as {@code op} prints them instead of
 * timings: labelled lines for people and one JSON object, with the global bytes set against the op's minimum bytes
 * (each input read once, each output written once) and the tensor FLOPs against its FLOP model.
 */
final class CounterReport {
    private CounterReport() {}

    /** Label and text of each line, in print order. */
    static List<Map.Entry<String, String>> lines(KernelCounters c, OpSpec spec) {
        List<Map.Entry<String, String>> l = new ArrayList<>();
        for (KernelCounters.Launch k : c.launches())
            l.add(Map.entry(l.isEmpty() ? "launches" : "", String.format(Locale.ROOT,
                    "%s grid %s block %s, %s shared; occupancy on %s %.0f%% (%d CTAs, %d warps per SM; bound by %s)",
                    k.kernel(), k.grid(), k.block(), Bytes.text(k.sharedBytes()), k.occupancySm(), 100 * k.occupancy(),
                    k.ctasPerSm(), k.warpsPerSm(), k.occupancyLimiter())));
        l.add(Map.entry("warp instr", c.warpInstructions() + ": " + c.warpInstructionsByClass().entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "))));
        l.add(Map.entry("thread instr", Long.toString(c.threadInstructions())));
        if (c.tensorFlops() > 0)
            l.add(Map.entry("tensor FLOPs", c.tensorFlops() + String.format(Locale.ROOT, " (%.2fx the op's %.0f)",
                    c.tensorFlops() / spec.flops(), spec.flops())));
        l.add(Map.entry("global loads", traffic(c.globalLoads())));
        l.add(Map.entry("global stores", traffic(c.globalStores())));
        if (c.cpAsyncBytes() > 0)
            l.add(Map.entry("cp.async", Bytes.text(c.cpAsyncGlobalBytes()) + " read from global into "
                    + Bytes.text(c.cpAsyncBytes()) + " of shared memory (zero fill included)"));
        l.add(Map.entry("global bytes", Bytes.text(c.globalBytes()) + String.format(Locale.ROOT,
                " read and written, %.2fx the op's minimum %s", minimumShare(c, spec), Bytes.text(spec.minBytes()))));
        l.add(Map.entry("shared loads", shared(c.sharedLoads()) + (c.ldmatrixRequests() == 0 ? ""
                : "; ldmatrix " + c.ldmatrixRequests() + " requests, " + c.ldmatrixWavefronts() + " wavefronts")));
        l.add(Map.entry("shared stores", shared(c.sharedStores())));
        l.add(Map.entry("barriers", Long.toString(c.barriers())));
        return l;
    }

    /** The same as one JSON object (numbers as numbers). */
    static Map<String, Object> json(KernelCounters c, OpSpec spec) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("launches", c.launches().stream().map(k -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kernel", k.kernel());
            m.put("grid", k.grid());
            m.put("block", k.block());
            m.put("shared_bytes", k.sharedBytes());
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("sm", k.occupancySm());
            o.put("ctas_per_sm", k.ctasPerSm());
            o.put("warps_per_sm", k.warpsPerSm());
            o.put("fraction", k.occupancy());
            o.put("limiter", k.occupancyLimiter());
            m.put("occupancy", o);
            return m;
        }).toList());
        Map<String, Object> warp = new LinkedHashMap<>();
        warp.put("total", c.warpInstructions());
        warp.putAll(c.warpInstructionsByClass());
        j.put("warp_instructions", warp);
        j.put("thread_instructions", c.threadInstructions());
        j.put("tensor_flops", c.tensorFlops());
        j.put("global_loads", trafficJson(c.globalLoads()));
        j.put("global_stores", trafficJson(c.globalStores()));
        j.put("cp_async", ordered("shared_bytes", c.cpAsyncBytes(), "global_bytes", c.cpAsyncGlobalBytes()));
        j.put("global_bytes", c.globalBytes());
        j.put("global_bytes_over_minimum", minimumShare(c, spec));
        j.put("shared_loads", sharedJson(c.sharedLoads()));
        j.put("shared_stores", sharedJson(c.sharedStores()));
        j.put("ldmatrix", ordered("requests", c.ldmatrixRequests(), "wavefronts", c.ldmatrixWavefronts()));
        j.put("barriers", c.barriers());
        return j;
    }

    /**
     * How fast the emulator ran these launches (not a fact of the kernels): its worker threads' CPU time and warp
     * instructions per CPU second; null where it was not measured.
     */
    static String emulatorLine(KernelCounters c) {
        if (c.emulatorCpuNanos() <= 0) return null;
        return String.format(Locale.ROOT, "%.1f ms of CPU time on its worker threads, %.1f M warp instructions per CPU "
                        + "second: the emulator's speed, not the kernel's (a single op's first launches run before the JIT "
                        + "has compiled the interpreter; PtxInterpreterBenchmark measures it warm)",
                c.emulatorCpuNanos() / 1e6, c.emulatorWarpInstructionsPerCpuSecond() / 1e6);
    }

    /** The same as a JSON object, or null. */
    static Map<String, Object> emulatorJson(KernelCounters c) {
        return c.emulatorCpuNanos() <= 0 ? null : ordered("cpu_seconds", c.emulatorCpuNanos() / 1e9,
                "warp_instructions_per_cpu_second", c.emulatorWarpInstructionsPerCpuSecond());
    }

    private static Map<String, Object> ordered(String k1, Object v1, String k2, Object v2) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(k1, v1);
        m.put(k2, v2);
        return m;
    }

    /** Global bytes moved over the op's minimum bytes: 1 when every input is read once and every output written once. */
    private static double minimumShare(KernelCounters c, OpSpec spec) { return (double) c.globalBytes() / spec.minBytes(); }

    private static String traffic(KernelCounters.Traffic t) {
        return String.format(Locale.ROOT, "%d requests, %d sectors (%.2f per request), %s", t.requests(), t.sectors(),
                t.sectorsPerRequest(), Bytes.text(t.bytes()));
    }

    private static String shared(KernelCounters.Shared s) {
        return s.requests() + " requests, " + s.wavefronts() + " wavefronts, " + s.bankConflicts() + " bank conflicts";
    }

    private static Map<String, Object> trafficJson(KernelCounters.Traffic t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requests", t.requests());
        m.put("sectors", t.sectors());
        m.put("sectors_per_request", t.sectorsPerRequest());
        m.put("bytes", t.bytes());
        return m;
    }

    private static Map<String, Object> sharedJson(KernelCounters.Shared s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requests", s.requests());
        m.put("wavefronts", s.wavefronts());
        m.put("bank_conflicts", s.bankConflicts());
        return m;
    }
}

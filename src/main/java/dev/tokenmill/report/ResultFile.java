package dev.tokenmill.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenmill.backend.DeviceInfo;
import dev.tokenmill.rollup.Rollup;

import java.util.List;
import java.util.Map;

/**
 * A result file: everything one {@code ./tokenmill run} measured on one device, and everything the figures
 * depend on (device, clocks, host, JDK, git revision, ceilings measured in the same run), plus JMH's raw JSON.
 * Schema {@value #SCHEMA}; additive fields keep the schema (readers ignore unknown fields), anything else bumps it.
 * {@code energy} (how energy was read, or why not) and {@code rollup} (the model passes rolled up from the
 * records: TTFT, TPOT, tokens/s, tokens/J) are such additions: null in files written before them.
 * <p>
 * tokenmill/2 added each record's samples and noise ({@link Record.Samples}, {@link Noise}) and the run's plan.
 * Additive, but raised all the same: a tokenmill/1 reader would compare two tokenmill/2 runs without their noise and
 * present noise as change, which is the misreading the version exists to stop. tokenmill/1 files are still read.
 */
public record ResultFile(String schema, String created, Tool tokenmill, RunInfo run, DeviceInfo device,
                         Map<String, Object> clocks, Host host, Ceilings ceilings, Energy energy, List<Record> records,
                         List<Skip> skipped, List<Rollup> rollup, JsonNode jmh) {
    public static final String SCHEMA = "tokenmill/2";

    /** Every schema this tokenmill reads. */
    public static final List<String> READABLE = List.of("tokenmill/1", SCHEMA);

    /** The tokenmill that measured: its version and git revision ({@code dirty} when uncommitted changes ran). */
    public record Tool(String version, String git, Boolean dirty) {}

    /**
     * What was asked for: suites, backend, model, dtypes, quick, the JMH settings used, the plan's size ({@code quick},
     * {@code ci} or {@code full}; null in tokenmill/1 files), and {@code partial}: why the run stopped before its end (a
     * signal) and how far it got, null for a run that ran to its end.
     */
    public record RunInfo(String suite, String backend, String model, List<String> dtypes, boolean quick,
                          Map<String, Object> jmh, String plan, String partial) {}

    /** Whether the run stopped before its end, so that only the trials it finished are here. */
    public boolean partial() { return run != null && run.partial() != null; }

    /**
     * Energy for the whole run: whose counter was read, how the windows were cut, and the idle baseline measured
     * before the first suite; or, with no counter at all, the reason, given once here rather than per record.
     *
     * @param device           the GPU as NVML knows it and how it was matched (PCI bus id)
     * @param idleW            board power with the context open and nothing running
     * @param idleAbsentReason why there is no idle baseline although the counter was read
     * @param absentReason     why there is no energy in this run
     */
    public record Energy(String device, String windows, Double idleW, String idleAbsentReason, String absentReason) {
        public static Energy absent(String reason) { return new Energy(null, null, null, null, reason); }
    }

    public record Host(String hostname, String cpu, int cores, Long memoryBytes, String os, String jdk, String vm) {}

    /** A benchmark that did not run here, and why (backend unavailable, too big for the device, failed check). */
    public record Skip(String benchmark, Map<String, String> params, String reason) {}

    public List<Record> records(String suite) { return records.stream().filter(r -> r.suite().equals(suite)).toList(); }
}

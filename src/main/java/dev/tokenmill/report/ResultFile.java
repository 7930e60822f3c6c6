package dev.tokenmill.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenmill.backend.DeviceInfo;
import dev.tokenmill.measure.Ceilings;

import java.util.List;
import java.util.Map;

/**
 * A result file: everything one {@code ./tokenmill run} measured on one device, and everything the figures
 * depend on (device, clocks, host, JDK, git revision, ceilings measured in the same run), plus JMH's raw JSON.
 * Schema {@value #SCHEMA}; additive fields keep the schema (readers ignore unknown fields), anything else bumps it.
 * A model roll-up (TTFT, TPOT, tokens/s, tokens/J from the per-layer records) belongs here as a further
 * nullable section beside {@code records}.
 */
public record ResultFile(String schema, String created, Tool tokenmill, RunInfo run, DeviceInfo device,
                         Map<String, Object> clocks, Host host, Ceilings ceilings, List<Record> records,
                         List<Skip> skipped, JsonNode jmh) {
    public static final String SCHEMA = "tokenmill/1";

    /** The tokenmill that measured: its version and git revision ({@code dirty} when uncommitted changes ran). */
    public record Tool(String version, String git, Boolean dirty) {}

    /** What was asked for: suites, backend, model, dtypes, quick, and the JMH settings used. */
    public record RunInfo(String suite, String backend, String model, List<String> dtypes, boolean quick,
                          Map<String, Object> jmh) {}

    public record Host(String hostname, String cpu, int cores, Long memoryBytes, String os, String jdk, String vm) {}

    /** A benchmark that did not run here, and why (backend unavailable, too big for the device, failed check). */
    public record Skip(String benchmark, Map<String, String> params, String reason) {}

    public List<Record> records(String suite) { return records.stream().filter(r -> r.suite().equals(suite)).toList(); }
}

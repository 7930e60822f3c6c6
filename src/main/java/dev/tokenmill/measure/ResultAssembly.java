package dev.tokenmill.measure;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.tokenmill.backend.DeviceInfo;
import dev.tokenmill.op.DType;
import dev.tokenmill.report.JmhRecords;
import dev.tokenmill.report.Record;
import dev.tokenmill.report.ResultFile;
import dev.tokenmill.rollup.Rollup;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns what a run measured (JMH's JSON, the preamble, the skipped trials) into its result file. */
final class ResultAssembly {
    private ResultAssembly() {}

    /** {@code partial}: why the run stopped before its end, or null when it ran to the end. */
    static ResultFile assemble(RunPlan plan, String backend, DeviceInfo device, String created, RunPreamble preamble,
                               ArrayNode jmh, Map<String, String> callHistograms, List<ResultFile.Skip> skipped,
                               String partial) {
        List<Record> records = JmhRecords.from(jmh, preamble.ceilings(), callHistograms);
        List<Rollup> rollups = plan.rollup() == null ? null : plan.rollup().rollUp(plan.suites(), records,
                preamble.energy().info().absentReason());
        return new ResultFile(ResultFile.SCHEMA, created, Provenance.tool(), new ResultFile.RunInfo(
                String.join(",", plan.suites()), backend, plan.model(),
                plan.dtypes().stream().map(DType::id).toList(), plan.quick(), settings(preamble.jmh()), plan.size().id(),
                partial),
                device, Provenance.clocks(device), Provenance.host(), preamble.ceilings(), preamble.energy().info(),
                records, skipped, rollups, jmh);
    }

    /** The JMH settings the run overrode, as the result file records them. */
    private static Map<String, Object> settings(RunPlan.Jmh j) {
        Map<String, Object> s = new LinkedHashMap<>();
        if (j.forks() != null) s.put("forks", j.forks());
        if (j.warmupIterations() != null) s.put("warmup", j.warmupIterations() + " x " + j.warmupTime());
        if (j.iterations() != null) s.put("measurement", j.iterations() + " x " + j.iterationTime());
        return s;
    }
}

package dev.tokenmill.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenmill.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;

import static dev.tokenmill.report.ResultFilesTest.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code compare BASE NEW --max-regression}: what changed and what is noise, and the CI gate's exit code, on the
 * tokenmill/2 fixture and copies of it whose samples are changed on purpose.
 */
class GateTest {
    @TempDir Path dir;

    private final StringWriter out = new StringWriter(), err = new StringWriter();

    private int tokenmill(String... args) {
        return Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    private static final Path BASE = fixture("fake-9000-v2.json");

    /** A copy of the fixture, written under a name, with each record's samples replaced by {@code samples(record, index)}. */
    private Path copy(String name, BiFunction<Record, Integer, double[]> samples) throws Exception {
        ResultFile base = ResultFiles.read(BASE);
        List<Record> records = new ArrayList<>();
        for (int i = 0; i < base.records().size(); i++) {
            Record r = base.records().get(i);
            double[] x = samples.apply(r, i);
            if (x != null) records.add(withSamples(r, x));
        }
        ResultFile f = new ResultFile(base.schema(), base.created(), base.tokenmill(), base.run(), base.device(),
                base.clocks(), base.host(), base.ceilings(), base.energy(), records, base.skipped(), base.rollup(), base.jmh());
        Path file = dir.resolve(name + ".json");
        Files.writeString(file, ResultFiles.JSON.writeValueAsString(f));
        return file;
    }

    static Record withSamples(Record r, double[] samples) {
        Record.Samples s = new Record.Samples(r.samples().basis(),
                List.of(Arrays.stream(samples).boxed().toList()), r.samples().callsHistogram());
        return new Record(r.suite(), r.op(), r.benchmark(), r.model(), r.projection(), r.variant(), r.dtype(), r.shape(),
                r.flops(), r.bytes(), r.arithmeticIntensity(), r.time(), r.timing(), r.tflops(), r.gbs(),
                r.fractionOfCeiling(), r.fractionOfDatasheet(), r.verified(), r.params(), r.energy(), s,
                Noise.of(samples, 0.95));
    }

    private static double[] scaled(Record r, double factor) {
        return Arrays.stream(r.samples().all()).map(v -> v * factor).toArray();
    }

    /** Ten samples around the record's median, spread evenly over +-20%, in an order set by {@code stride}. */
    private static double[] noisy(Record r, double factor, int stride) {
        double m = r.noise().medianMs() * factor;
        double[] x = new double[10];
        for (int i = 0; i < 10; i++) x[(i * stride) % 10] = m * (1 + 0.2 * (2.0 * i / 9 - 1));
        return x;
    }

    /** The rows of the changes tables (each shows both runs' noise). */
    private List<String> changeRows() {
        return out.toString().lines().filter(l -> l.startsWith("| llama-3.2-1b") && l.contains("±")).toList();
    }

    @Test
    void aFileComparedWithItselfIsAllNoChangeAndPassesTheGate() {
        assertEquals(0, tokenmill("compare", BASE.toString(), BASE.toString(), "--max-regression", "5%"), err.toString());
        String md = out.toString();
        List<String> rows = changeRows();
        assertEquals(6, rows.size(), md);
        assertTrue(rows.stream().allMatch(l -> l.endsWith("| ~ |") || l.matches(".*\\| ~ +\\|$")), md);
        assertTrue(md.startsWith("## Regression gate: at most 5% slower than"), md);
        assertTrue(md.contains("**Passed**: no record is significantly slower"), md);
        assertEquals("", err.toString());
    }

    @Test
    void samplesSlowedByAThirdFailTheGateWithExit3NamingEachRecord() throws Exception {
        Path slow = copy("slow", (r, i) -> scaled(r, 1.3));
        int code = tokenmill("compare", BASE.toString(), slow.toString(), "--max-regression", "5%");
        assertEquals(3, code, out + "\n" + err);
        String e = err.toString();
        assertTrue(e.startsWith("tokenmill: 6 records are significantly slower than " + BASE + " by more than 5%: "), e);
        assertEquals(1, e.lines().count(), "one sentence: " + e);
        // op, shape, dtype, ratio, interval, p-value
        assertTrue(e.contains("decode linear.gate_up m=1 n=16384 k=2048 bf16 (llama-3.2-1b): 1.300× ["), e);
        assertTrue(e.matches("(?s).*1\\.300× \\[1\\.\\d{3}, 1\\.\\d{3}], p=\\S+.*"), e);
        assertTrue(out.toString().contains("**Failed**: 6 records are significantly slower"), out.toString());
        assertEquals(6, changeRows().stream().filter(l -> l.contains(" 1.300× |") && l.contains("| slower ")).count(), out.toString());
        // a gate twice as loose lets a 30% slowdown through
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        assertEquals(0, tokenmill("compare", BASE.toString(), slow.toString(), "--max-regression", "50"), err.toString());
    }

    @Test
    void aFasterFilePasses() throws Exception {
        Path fast = copy("fast", (r, i) -> scaled(r, 0.8));
        assertEquals(0, tokenmill("compare", BASE.toString(), fast.toString(), "--max-regression", "5%"), err.toString());
        assertEquals(6, changeRows().stream().filter(l -> l.contains(" 0.800× |") && l.contains("| faster ")).count(),
                out.toString());
    }

    @Test
    void aFivePercentSlowdownUnder20PercentNoiseIsNoChange() throws Exception {
        Path noisyBase = copy("noisy-base", (r, i) -> noisy(r, 1.0, 3));
        Path noisySlow = copy("noisy-slow", (r, i) -> noisy(r, 1.05, 7));
        assertEquals(0, tokenmill("compare", noisyBase.toString(), noisySlow.toString(), "--max-regression", "1%"),
                err.toString());
        List<String> rows = changeRows();
        assertEquals(6, rows.size(), out.toString());
        assertTrue(rows.stream().allMatch(l -> l.matches(".* 1\\.0[45]\\d× \\|.*\\| ~ +\\|$")), String.join("\n", rows));
        assertTrue(rows.getFirst().contains("±"), "each side's noise is shown");
    }

    @Test
    void recordsInOneFileOnlyAreListedAndTheJsonSaysEverything() throws Exception {
        Path fewer = copy("fewer", (r, i) -> i == 4 ? null : scaled(r, 1.3));   // the decode attention record is gone
        assertEquals(3, tokenmill("compare", BASE.toString(), fewer.toString(), "--max-regression", "5%", "--json"));
        JsonNode json = ResultFiles.JSON.readTree(out.toString());
        assertEquals(BASE.toString(), json.path("base").path("file").asText());
        JsonNode c = json.path("comparisons").get(0);
        assertEquals(fewer.toString(), c.path("file").asText());
        assertTrue(c.path("same_device").asBoolean());
        assertEquals(5, c.path("records").size());
        JsonNode row = c.path("records").get(0);
        assertEquals("slower", row.path("verdict").asText());
        assertEquals(1.3, row.path("ratio").asDouble(), 1e-9);
        assertTrue(row.path("ci_low").isNumber() && row.path("p_value").asDouble() < 0.05, row.toString());
        assertEquals(1, c.path("only_in_base").size());
        assertEquals("decode", c.path("only_in_base").get(0).path("op").asText());
        assertEquals(0, c.path("only_in_new").size());
        assertEquals("prefill", c.path("suites").get(0).path("suite").asText());
        assertEquals(1.3, c.path("suites").get(0).path("geomean_ratio").asDouble(), 1e-9);
        JsonNode gate = json.path("gate");
        assertFalse(gate.path("passed").asBoolean());
        assertEquals(0.05, gate.path("max_regression").asDouble());
        assertEquals(5, gate.path("regressions").size());

        out.getBuffer().setLength(0);
        tokenmill("compare", BASE.toString(), fewer.toString());
        assertTrue(out.toString().contains("### Only in "), out.toString());
        assertTrue(out.toString().contains("| decode | llama-3.2-1b | decode | b=1 ctx=8192 paged | bf16  | not in its plan"),
                out.toString());
    }

    @Test
    void aRecordTheNewRunLostOrAPartialNewRunFailsTheGate() throws Exception {
        // same plan, same times, one record gone: a kernel that now fails verification or a fork that crashed
        Path lost = copy("lost", (r, i) -> i == 4 ? null : r.samples().all());
        assertEquals(3, tokenmill("compare", BASE.toString(), lost.toString(), "--max-regression", "5%"), out.toString());
        assertTrue(err.toString().startsWith("tokenmill: 1 record of " + BASE + " not measured by the new run: decode decode"),
                err.toString());
        assertTrue(out.toString().contains("**Failed**: 1 record was not measured"), out.toString());

        ResultFile whole = ResultFiles.read(BASE);
        ResultFile.RunInfo r = whole.run();
        ResultFile partial = new ResultFile(whole.schema(), whole.created(), whole.tokenmill(), new ResultFile.RunInfo(
                r.suite(), r.backend(), r.model(), r.dtypes(), r.quick(), r.jmh(), r.plan(), "stopped by SIGTERM after 6 trial(s)"),
                whole.device(), whole.clocks(), whole.host(), whole.ceilings(), whole.energy(), whole.records(),
                whole.skipped(), whole.rollup(), whole.jmh());
        Path partialFile = dir.resolve("partial.json");
        Files.writeString(partialFile, ResultFiles.JSON.writeValueAsString(partial));
        err.getBuffer().setLength(0);
        assertEquals(3, tokenmill("compare", BASE.toString(), partialFile.toString(), "--max-regression", "5%"));
        assertEquals("tokenmill: the new run is partial (stopped by SIGTERM after 6 trial(s))\n", err.toString());
    }

    @Test
    void aGateNeedsTwoFilesWithSamplesAndAPercentage() {
        assertEquals(Main.USAGE, tokenmill("compare", BASE.toString(), fixture("fake-9000.json").toString(),
                "--max-regression", "5%"));
        assertEquals("tokenmill: " + fixture("fake-9000.json") + " has no samples (schema tokenmill/1), so no change against"
                + " it can be tested; measure it again with this tokenmill\n", err.toString());
        err.getBuffer().setLength(0);
        assertEquals(Main.USAGE, tokenmill("compare", BASE.toString(), BASE.toString(), BASE.toString(), "--max-regression", "5%"));
        assertEquals("tokenmill: --max-regression compares two files, BASE and NEW; got 3\n", err.toString());
        err.getBuffer().setLength(0);
        assertEquals(Main.USAGE, tokenmill("compare", BASE.toString(), BASE.toString(), "--max-regression", "five"));
        assertEquals("tokenmill: --max-regression must be a percentage of 0 or more, like 5%, got 'five'\n", err.toString());
        assertEquals(0.025, Gate.parsePercent("2.5 %"), 1e-12);
    }

    @Test
    void runsWithoutSamplesCompareUntestedWithoutAGate() {
        assertEquals(0, tokenmill("compare", fixture("fake-9000.json").toString(), BASE.toString()), err.toString());
        String md = out.toString();
        assertTrue(md.contains("## Changes: "), md);
        assertTrue(md.contains("Records without samples (tokenmill/1 files) show the ratio of their figures' times, untested."), md);
        assertTrue(md.contains("| no samples |") || md.matches("(?s).*\\| no samples +\\|.*"), md);
    }
}

package dev.tokenmill.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenmill.energy.EnergySampler;
import dev.tokenmill.energy.SamplerSettings;
import dev.tokenmill.report.JmhRecords;
import dev.tokenmill.report.Record;
import dev.tokenmill.report.ResultFiles;
import dev.tokenmill.testing.SteadyGpu;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.results.AverageTimeResult;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.IterationResultMetaData;
import org.openjdk.jmh.results.ResultRole;
import org.openjdk.jmh.runner.IterationType;
import org.openjdk.jmh.runner.options.TimeValue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The benchmark VM's side of energy: one window over a trial's measurement iterations, on telemetry of a steady
 * 300 W GPU, its figures as JMH results, and those results read back into a record's energy.
 */
class TrialEnergyTest {
    /** Windows of 0.2 s count here (2 s on a real GPU), so a test stays short. */
    private static final SamplerSettings FAST = new SamplerSettings(Duration.ofMillis(2), 0.2, 0.75);
    private static final IterationParams WARMUP = new IterationParams(IterationType.WARMUP, 1, TimeValue.milliseconds(100), 1),
            MEASURE = new IterationParams(IterationType.MEASUREMENT, 2, TimeValue.milliseconds(150), 1);

    private static void busy(long millis) {
        long end = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < end) Thread.onSpinWait();
    }

    /** Warmup (left out), then two measurement iterations of 150 ms with 100 calls each. */
    private static List<List<TrialResult>> trial(TrialEnergy energy) {
        List<List<TrialResult>> perIteration = new ArrayList<>();
        energy.beforeIteration(WARMUP);
        busy(100);
        perIteration.add(energy.afterIteration(WARMUP, 50));
        for (int i = 0; i < 2; i++) {
            energy.beforeIteration(MEASURE);
            busy(150);
            perIteration.add(energy.afterIteration(MEASURE, 100));
        }
        return perIteration;
    }

    @Test
    void oneWindowSpansTheMeasurementIterationsAndReportsAfterTheLast() {
        TrialEnergy energy = new TrialEnergy(EnergySampler.of(new SteadyGpu(300), FAST));
        var perIteration = trial(energy);
        assertTrue(perIteration.get(0).isEmpty() && perIteration.get(1).isEmpty(), "nothing before the window closes");
        assertTrue(energy.finished());
        var results = perIteration.get(2);
        double window = score(results, JmhRecords.WINDOW_S);
        assertTrue(window >= 0.3 && window < 0.5, "the two measurement iterations, not the warmup: " + window);
        assertEquals(300, score(results, JmhRecords.POWER_W), 30);
        assertFalse(labels(results).contains(JmhRecords.IDLE_W), "no idle baseline was given");
        assertEquals(1755, score(results, JmhRecords.SM_MEDIAN));
        assertEquals(0, score(results, JmhRecords.BELOW_75PCT), "1755 of 1980 MHz is above 75%");
        assertTrue(labels(results).contains(JmhRecords.CLOCK_EVENT + "sw_power_cap"), labels(results).toString());
    }

    @Test
    void aWindowTooShortForEnergyStillGivesClocksAndSaysWhy() {
        TrialEnergy energy = new TrialEnergy(EnergySampler.of(new SteadyGpu(300), SamplerSettings.standard()));
        var results = trial(energy).get(2);
        assertFalse(labels(results).contains(JmhRecords.POWER_W));
        assertTrue(labels(results).stream().anyMatch(l -> l.startsWith(JmhRecords.ENERGY_ABSENT + "the 0.3")
                && l.endsWith("s window is shorter than the 2.0 s an energy figure needs")), labels(results).toString());
        assertEquals(1755, score(results, JmhRecords.SM_MIN));
    }

    @Test
    void jmhAggregatesATrialFigureOverTheIterationsThatReportedItOnly() {
        var results = trial(new TrialEnergy(EnergySampler.of(new SteadyGpu(300), FAST))).get(2);
        List<IterationResult> iterations = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            IterationResult it = new IterationResult(null, MEASURE, new IterationResultMetaData(100, 100));
            it.addResult(new AverageTimeResult(ResultRole.PRIMARY, "linear", 100, 150_000_000, TimeUnit.MICROSECONDS));
            if (i == 1) it.addResults(results);
            iterations.add(it);
        }
        var aggregated = new BenchmarkResult(null, iterations).getSecondaryResults();
        assertEquals(score(results, JmhRecords.POWER_W), aggregated.get(JmhRecords.POWER_W).getScore(),
                "not averaged with a zero for the iteration that did not report it");
        assertEquals(1755, aggregated.get(JmhRecords.SM_MIN).getScore());
    }

    @Test
    void theRecordReadsTheFiguresBack() throws Exception {
        var results = trial(new TrialEnergy(EnergySampler.of(new SteadyGpu(300), FAST))).get(2);
        Record record = recordWith(results);
        Record.Energy e = record.energy();
        // the window's average power over the median device time of one call
        assertEquals(score(results, JmhRecords.POWER_W), e.powerW());
        assertEquals(e.powerW() * record.figureSeconds(), e.energyJ(), 1e-15);
        assertEquals(1755, e.smClockMinMhz());
        assertEquals(1755, e.smClockMedianMhz());
        assertEquals(1755, e.smClockMaxMhz());
        assertEquals(List.of("sw_power_cap"), e.throttleReasons());
        assertFalse(e.clockBelow75pct());
        assertNull(e.energyAbsentReason());
        assertNull(e.energyAboveIdleJ(), "no idle baseline was given");
    }

    @Test
    void withTheRunsIdleBaselineTheEnergyAboveIdleIsGiven() throws Exception {
        EnergySampler sampler = EnergySampler.of(new SteadyGpu(300), FAST);
        sampler.useIdleWatts(100);
        var results = trial(new TrialEnergy(sampler)).get(2);
        assertEquals(100, score(results, JmhRecords.IDLE_W));
        Record.Energy e = recordWith(results).energy();
        // (300 W - 100 W) per call: two thirds of the board's energy per call
        assertEquals(e.energyJ() * 2 / 3, e.energyAboveIdleJ(), e.energyJ() * 0.05);
    }

    /** The fixture's JMH entry with {@code results} added to its secondary metrics, read as a record. */
    static Record recordWith(List<TrialResult> results) throws Exception {
        JsonNode jmh = ResultFiles.JSON.readTree(Path.of("src/test/resources/results/jmh-result.json").toFile());
        ObjectNode entry = (ObjectNode) jmh.get(0);
        ObjectNode secondary = (ObjectNode) entry.get("secondaryMetrics");
        for (TrialResult r : results)
            secondary.putObject(r.getLabel()).put("score", r.getScore()).put("scoreUnit", r.getScoreUnit());
        ArrayNode one = ResultFiles.JSON.createArrayNode().add(entry);
        return JmhRecords.from(one, null).getFirst();
    }

    private static List<String> labels(List<TrialResult> results) { return results.stream().map(TrialResult::getLabel).toList(); }

    private static double score(List<TrialResult> results, String label) {
        return results.stream().filter(r -> r.getLabel().equals(label)).findFirst().orElseThrow(() ->
                new AssertionError(label + " not in " + labels(results))).getScore();
    }
}

package dev.tokenmill.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResultFilesTest {
    static Path fixture(String name) { return Path.of("src/test/resources/results", name); }

    @TempDir Path dir;

    @Test
    void aResultFileSurvivesARoundTripUnderItsDeviceAndTimestamp() throws Exception {
        ResultFile original = ResultFiles.read(fixture("fake-9000.json"));
        Path written = ResultFiles.write(dir, original);
        assertEquals(dir.resolve("fake-9000").resolve("2026-11-25T11-47-13Z.json"), written);
        ResultFile back = ResultFiles.read(written);
        assertEquals(original.records(), back.records());
        assertEquals(original.device(), back.device());
        assertEquals(original.ceilings(), back.ceilings());
        assertEquals(original.jmh(), back.jmh());
        assertEquals(original.skipped(), back.skipped());
        assertEquals(original.schema(), back.schema());
        String text = Files.readString(written);
        assertFalse(text.contains("\"spec\"") || text.contains("\"label\"") || text.contains("figure_seconds"),
                "only record components are written");
        try (var files = Files.list(written.getParent())) {
            assertEquals(1, files.count(), "no temp file left behind");
        }
    }

    @Test
    void probeCeilingsSurviveARoundTripAndOlderFilesReadAsTheBestLinearKernel() throws Exception {
        ResultFile old = ResultFiles.read(fixture("fake-9000.json"));   // written before the probes
        assertNull(old.ceilings().computeProbes());
        assertEquals(Ceilings.BEST_LINEAR, old.ceilings().computeSource("bf16"));
        Ceilings probed = new Ceilings("fake", 998.6, java.util.Map.of("bf16", 21.5), java.util.Map.of("bf16", "fake.probe.mma"),
                java.util.Map.of("bf16", "a loop"), null);
        ResultFile now = new ResultFile(old.schema(), old.created(), old.tokenmill(), old.run(), old.device(), old.clocks(),
                old.host(), probed, old.energy(), old.records(), old.skipped(), old.rollup(), old.jmh());
        Path written = ResultFiles.write(dir, now);
        assertTrue(Files.readString(written).contains("\"compute_probes\" : {\n      \"bf16\" : \"fake.probe.mma\""),
                Files.readString(written));
        Ceilings back = ResultFiles.read(written).ceilings();
        assertEquals(probed, back);
        assertEquals("fake.probe.mma", back.computeSource("bf16"));
    }

    @Test
    void aResultIsNeverReplacedRunsOfTheSameSecondGetTheirOwnNames() throws Exception {
        ResultFile result = ResultFiles.read(fixture("fake-9000.json"));
        Path first = ResultFiles.write(dir, result);
        String before = Files.readString(first);
        Files.writeString(first, before.replace("\"tokenmill/1\"", "\"tokenmill/1\" "));   // tell it apart
        Path second = ResultFiles.write(dir, result);
        assertEquals(dir.resolve("fake-9000/2026-11-25T11-47-13Z-2.json"), second);
        assertTrue(Files.readString(first).contains("\"tokenmill/1\" "), "the first file is untouched");
        assertEquals(result.records(), ResultFiles.read(second).records());
    }

    @Test
    void concurrentWritersOfTheSameSecondEachKeepTheirFile() throws Exception {
        ResultFile result = ResultFiles.read(fixture("fake-9000.json"));
        var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<Path>> writes = new ArrayList<>();
            for (int i = 0; i < 8; i++) writes.add(pool.submit(() -> ResultFiles.write(dir, result)));
            java.util.Set<Path> paths = new java.util.HashSet<>();
            for (var w : writes) paths.add(w.get());
            assertEquals(8, paths.size(), paths.toString());
            try (var files = Files.list(dir.resolve("fake-9000"))) {
                assertEquals(paths, files.collect(java.util.stream.Collectors.toSet()), "eight files, no temporary left");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void recordsCarryTheirFiguresAndTheirProvenance() {
        ResultFile r = ResultFiles.read(fixture("fake-9000.json"));
        Record qkv = r.records().stream().filter(x -> "qkv".equals(x.projection())).findFirst().orElseThrow();
        assertEquals("prefill", qkv.suite());
        assertEquals("fake.roofline", qkv.variant());
        assertEquals(qkv.flops() / qkv.figureSeconds() / 1e12, qkv.tflops(), 1e-9 * qkv.tflops());
        assertEquals(qkv.flops() / qkv.bytes(), qkv.arithmeticIntensity(), 1e-9);
        assertEquals(qkv.flops(), qkv.spec().flops());
        assertEquals(qkv.shape(), qkv.spec().shape());
        assertNotNull(qkv.verified().maxRelErr());
        assertNotNull(r.host().jdk());
        assertEquals(40, r.tokenmill().git().length());
    }

    @Test
    void aTokenmill2RecordKeepsItsSamplesAndItsNoise() throws Exception {
        ResultFile v2 = ResultFiles.read(fixture("fake-9000-v2.json"));
        assertEquals("tokenmill/2", v2.schema());
        assertEquals("quick", v2.run().plan());
        for (Record r : v2.records()) {
            Record.Samples s = r.samples();
            assertEquals("device_p50", s.basis());
            assertEquals(6, s.all().length, "one fork of six iterations");
            // the histogram holds every timed call, and its median is the record's p50
            var calls = s.calls();
            assertEquals(r.time().n(), calls.getTotalCount(), r.label());
            assertEquals(r.time().p50Ms(), calls.getValueAtPercentile(50) / 1e6, 1e-9, r.label());
            assertEquals(6, r.noise().n());
            assertEquals(Noise.of(s.all(), 0.95), r.noise(), "the noise is that of the samples");
            assertNotNull(r.noise().ciLowMs(), "six samples give a 95% interval");
        }
        Path back = ResultFiles.write(dir, v2);
        assertEquals(v2.records(), ResultFiles.read(back).records());
        assertTrue(Files.readString(back).contains("\"calls_histogram\" : \"HISTF"), "HdrHistogram's compressed base64");
    }

    @Test
    void aTokenmill1FileIsStillReadWithoutSamples() {
        ResultFile v1 = ResultFiles.read(fixture("fake-9000.json"));
        assertEquals("tokenmill/1", v1.schema());
        assertEquals(6, v1.records().size());
        assertTrue(v1.records().stream().allMatch(r -> r.samples() == null && r.noise() == null));
        assertNull(v1.run().plan());
    }

    /** {@code r} with {@code energy}: a copy, since a record is immutable. */
    static Record withEnergy(Record r, Record.Energy energy) {
        return new Record(r.suite(), r.op(), r.benchmark(), r.model(), r.projection(), r.variant(), r.dtype(), r.shape(),
                r.flops(), r.bytes(), r.arithmeticIntensity(), r.time(), r.timing(), r.tflops(), r.gbs(),
                r.fractionOfCeiling(), r.fractionOfDatasheet(), r.verified(), r.params(), energy);
    }

    @Test
    void energyFieldsSurviveARoundTripPresentOrAbsent() throws Exception {
        ResultFile fixture = ResultFiles.read(fixture("fake-9000.json"));
        List<Record> records = new ArrayList<>(fixture.records());
        records.set(0, withEnergy(records.get(0), new Record.Energy(0.0123, 0.0081, 412.5, 5.02, 1590, 1755, 1980,
                List.of("sw_power_cap", "gpu_idle"), true, null, null)));
        records.set(1, withEnergy(records.get(1), new Record.Energy(null, null, null, 1.01, 1755, 1755, 1755, List.of(),
                false, "the 1.01 s window is shorter than the 2.0 s an energy figure needs", null)));
        ResultFile gpu = new ResultFile(fixture.schema(), fixture.created(), fixture.tokenmill(), fixture.run(),
                fixture.device(), fixture.clocks(), fixture.host(), fixture.ceilings(),
                new ResultFile.Energy("NVIDIA H100 80GB HBM3 (PCI bus id 0000:65:00.0)", "one window per trial", 71.2, null, null),
                records, fixture.skipped(), fixture.rollup(), fixture.jmh());
        ResultFile back = ResultFiles.read(ResultFiles.write(dir, gpu));
        assertEquals(gpu.records(), back.records());
        assertEquals(gpu.energy(), back.energy());
        assertEquals(gpu.rollup(), back.rollup());
        assertNull(back.records().get(2).energy(), "a record without energy stays without it");

        String text = Files.readString(ResultFiles.pathFor(dir, gpu));
        for (String field : List.of("\"energy_j\"", "\"energy_above_idle_j\"", "\"power_w\"", "\"sm_clock_min_mhz\"",
                "\"sm_clock_median_mhz\"", "\"sm_clock_max_mhz\"", "\"throttle_reasons\"", "\"clock_below_75pct\"",
                "\"energy_absent_reason\"", "\"idle_w\""))
            assertTrue(text.contains(field), field);
        assertFalse(text.matches("(?s).*\"(energy_j|power_w)\" : 0(\\.0*)?[,\\s].*") || text.contains("null"),
                "absent is absent, never zero or null");

        // absent at the run level: the reason once, no record carries energy
        assertEquals("the fake backend has no energy counter", fixture.energy().absentReason());
        assertTrue(fixture.records().stream().allMatch(r -> r.energy() == null));
    }

    @Test
    void unknownFieldsAreIgnoredSoAdditiveChangesKeepTheSchema() throws Exception {
        String text = Files.readString(fixture("fake-9000.json"))
                .replaceFirst("\"suite\"\\s*:\\s*\"prefill\"", "\"co2_g\": 0.2, \"suite\": \"prefill\"")
                .replaceFirst("\\{", "{ \"power_profile\": {\"p95_w\": 612},");
        Path f = dir.resolve("extended.json");
        Files.writeString(f, text);
        assertEquals(6, ResultFiles.read(f).records().size());
    }

    @Test
    void aTruncatedFileIsRefusedAsTruncated() throws Exception {
        String text = Files.readString(fixture("fake-9000.json"));
        Path f = dir.resolve("cut.json");
        Files.writeString(f, text.substring(0, text.length() / 2));
        var e = assertThrows(IllegalArgumentException.class, () -> ResultFiles.read(f));
        assertTrue(e.getMessage().startsWith(f + " is truncated"), e.getMessage());
    }

    @Test
    void garbageIsRefusedAsNotJson() throws Exception {
        Path f = dir.resolve("garbage.json");
        Files.write(f, new byte[]{'{', '"', 's', 0x01, (byte) 0xff, '}', '}'});
        var e = assertThrows(IllegalArgumentException.class, () -> ResultFiles.read(f));
        assertTrue(e.getMessage().contains("is not valid JSON"), e.getMessage());
    }

    @Test
    void aForeignFileIsRefusedAsNotATokenmillResult() {
        Path f = fixture("jmh-result.json");
        var e = assertThrows(IllegalArgumentException.class, () -> ResultFiles.read(f));
        assertEquals(f + " is not a tokenmill result (no \"schema\": \"tokenmill/2\" field)", e.getMessage());
    }

    @Test
    void anUnknownSchemaIsRefusedByName() throws Exception {
        Path f = dir.resolve("future.json");
        Files.writeString(f, Files.readString(fixture("fake-9000.json")).replace("\"tokenmill/1\"", "\"tokenmill/3\""));
        var e = assertThrows(IllegalArgumentException.class, () -> ResultFiles.read(f));
        assertTrue(e.getMessage().contains("has schema 'tokenmill/3', which this tokenmill does not read (it reads"
                + " tokenmill/1 and tokenmill/2)"), e.getMessage());
    }

    @Test
    void anOlderSchemaIsSaidToBeOlderAndANewerOneNewer() throws Exception {
        Path old = dir.resolve("old.json"), future = dir.resolve("future.json");
        String text = Files.readString(fixture("fake-9000.json"));
        Files.writeString(old, text.replace("\"tokenmill/1\"", "\"tokenmill/0\""));
        Files.writeString(future, text.replace("\"tokenmill/1\"", "\"tokenmill/3\""));
        var e = assertThrows(IllegalArgumentException.class, () -> ResultFiles.read(old));
        assertEquals(old + " has schema 'tokenmill/0', which this tokenmill does not read (it reads tokenmill/1 and"
                + " tokenmill/2): an older tokenmill wrote it; run again to measure in the current schema", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ResultFiles.read(future));
        assertTrue(e.getMessage().endsWith(": a newer tokenmill wrote it, and a newer tokenmill reads it"), e.getMessage());
    }

    @Test
    void aDirectoryIsSaidToBeADirectory() {
        var e = assertThrows(IllegalArgumentException.class, () -> ResultFiles.read(dir));
        assertEquals(dir + " is a directory, not a result file: give the files in it (e.g. " + dir + "/*/*.json)",
                e.getMessage());
    }

    @Test
    void missingSectionsAndBrokenRecordsAreCorrupt() throws Exception {
        Path f = dir.resolve("nodevice.json");
        Files.writeString(f, "{\"schema\": \"tokenmill/1\", \"created\": \"2026-01-01T00:00:00Z\", \"records\": []}");
        var e = assertThrows(IllegalArgumentException.class, () -> ResultFiles.read(f));
        assertEquals(f + " is corrupt: the \"device\" section is missing", e.getMessage());

        Path g = dir.resolve("badrecord.json");
        Files.writeString(g, Files.readString(fixture("fake-9000.json")).replaceFirst("\"suite\"\\s*:\\s*\"prefill\",", ""));
        e = assertThrows(IllegalArgumentException.class, () -> ResultFiles.read(g));
        assertTrue(e.getMessage().startsWith(g + " is corrupt"), e.getMessage());

        Path h = dir.resolve("badtype.json");
        Files.writeString(h, Files.readString(fixture("fake-9000.json")).replaceFirst("\"records\"\\s*:\\s*\\[", "\"records\": [ 7, "));
        e = assertThrows(IllegalArgumentException.class, () -> ResultFiles.read(h));
        assertTrue(e.getMessage().startsWith(h + " is corrupt"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void aMissingFileIsSaidToBeMissing() {
        Path f = dir.resolve("nope.json");
        var e = assertThrows(IllegalArgumentException.class, () -> ResultFiles.read(f));
        assertEquals(f + " does not exist", e.getMessage());
    }
}

package dev.tokenmill.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
        assertEquals(ResultFile.SCHEMA, back.schema());
        String text = Files.readString(written);
        assertFalse(text.contains("\"spec\"") || text.contains("\"label\"") || text.contains("figure_seconds"),
                "only record components are written");
        try (var files = Files.list(written.getParent())) {
            assertEquals(1, files.count(), "no temp file left behind");
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
        assertEquals(f + " is not a tokenmill result (no \"schema\": \"tokenmill/1\" field)", e.getMessage());
    }

    @Test
    void anUnknownSchemaIsRefusedByName() throws Exception {
        Path f = dir.resolve("future.json");
        Files.writeString(f, Files.readString(fixture("fake-9000.json")).replace("\"tokenmill/1\"", "\"tokenmill/2\""));
        var e = assertThrows(IllegalArgumentException.class, () -> ResultFiles.read(f));
        assertTrue(e.getMessage().contains("has schema 'tokenmill/2', which this tokenmill does not know"), e.getMessage());
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

package dev.tokenmill.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class JmhRecordsTest {
    private static final Path FIXTURE = Path.of("src/test/resources/results/jmh-result.json");

    @Test
    void jmhsScorePerInvocationBecomesAWallTimePerCall() throws Exception {
        JsonNode jmh = ResultFiles.JSON.readTree(FIXTURE.toFile());
        double scoreMs = jmh.get(0).path("primaryMetric").path("score").asDouble();

        Record.Time oneCall = JmhRecords.from(jmh, null).getFirst().time();
        assertEquals(scoreMs, oneCall.wallMeanMs(), 1e-12);
        assertNull(oneCall.callsPerSample(), "a result without the label: one call per invocation");

        // a GPU trial: each invocation times one graph replay of 64 calls
        ObjectNode entry = (ObjectNode) jmh.get(0).deepCopy();
        ((ObjectNode) entry.get("primaryMetric")).put("scoreError", 0.64);
        ((ObjectNode) entry.get("secondaryMetrics")).putObject(JmhRecords.CALLS_PER_SAMPLE).put("score", 64.0)
                .put("scoreUnit", "calls");
        ArrayNode one = ResultFiles.JSON.createArrayNode().add(entry);
        Record.Time replay = JmhRecords.from(one, null).getFirst().time();
        assertEquals(scoreMs / 64, replay.wallMeanMs(), 1e-12);
        assertEquals(0.01, replay.wallErrorMs(), 1e-12);
        assertEquals(64L, replay.callsPerSample());
        assertEquals(oneCall.p50Ms(), replay.p50Ms(), "the device samples are per-call means already");
    }
}

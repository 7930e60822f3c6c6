package dev.tokenmill.cli;

import dev.tokenmill.Defaults;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code op} end to end on the CPU kernels: verified, timed, one JSON object with consistent figures. Each case
 * skips itself while its CPU kernel has not landed.
 */
class OpCommandKernelTest {
    private static final String[] QUICK = {"--backend", "cpu", "--min-time", "0.05", "--warmup", "0"};
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {
            "op linear --m 3 --n 17 --k 33 --dtype f32",
            "op linear --m 1 --n 40 --k 70",
            "op prefill --seq 9 --heads 4 --kv-heads 1 --head-dim 64 --dtype f16",
            "op decode --seq-lens 1,17,5 --heads 8 --kv-heads 2 --head-dim 64",
            "op decode --batch 2 --context 20 --heads 4 --kv-heads 4 --head-dim 128 --contiguous --dtype f32",
            "op append --batch 2 --kv-heads 2 --head-dim 64 --context 15 --block-size 16 --dtype f16",
            "op copy --bytes 4K"})
    void jsonIsOneObjectWithVerifiedConsistentFigures(String commandLine) throws Exception {
        String[] args = Stream.concat(Stream.of(commandLine.split(" ")), Stream.of(QUICK)).toArray(String[]::new);
        Cli.assumeCpuKernel(Cli.parseOp(args));
        Cli.Result r = Cli.run(Stream.concat(Stream.of(args), Stream.of("--json")).toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.out().lines().count(), r.out());
        JsonNode j = JSON.readTree(r.out());
        OpReportTest.JSON_KEYS.forEach(k -> assertTrue(j.has(k), k));
        assertEquals(args[1], j.get("op").asText());
        assertEquals("cpu", j.get("backend").asText());
        assertTrue(j.get("verified").get("passed").asBoolean());
        assertTrue(j.get("verified").get("checked").asLong() > 0);
        double p50 = j.get("p50_ms").asDouble();
        assertTrue(p50 > 0);
        assertEquals(p50, j.get("median_ms").asDouble());
        assertTrue(p50 <= j.get("p90_ms").asDouble() && j.get("p90_ms").asDouble() <= j.get("p99_ms").asDouble()
                && j.get("p99_ms").asDouble() <= j.get("p999_ms").asDouble(), r.out());
        assertTrue(j.get("samples").asLong() >= Defaults.OP_MIN_SAMPLES);
        assertTrue(j.get("gbs").asDouble() > 0);
        assertEquals(j.get("bytes").asDouble() / (p50 / 1e3) / 1e9, j.get("gbs").asDouble(), 1e-6 * j.get("gbs").asDouble());
        boolean computes = List.of("linear", "prefill", "decode").contains(args[1]);
        assertEquals(computes, j.get("gflops").asDouble() > 0, r.out());
        assertTrue(j.get("sets").asInt() >= 1);
        // the working set is the rotation's real size, not the target; the CPU is timed by the host's clock
        assertEquals(j.get("sets").asLong() * j.get("bytes").asLong(), j.get("working_set_bytes").asLong());
        assertEquals("wall_clock", j.get("timing").asText());
    }

    @Test
    void humanOutputShowsVerificationThenTimes() {
        String[] args = {"op", "linear", "--m", "2", "--n", "16", "--k", "16", "--dtype", "bf16"};
        Cli.assumeCpuKernel(Cli.parseOp(args));
        Cli.Result r = Cli.run(Stream.concat(Stream.of(args), Stream.of(QUICK)).toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        List<String> labels = r.outLines().stream().map(l -> l.substring(0, 13).strip()).toList();
        assertEquals(List.of("op", "backend", "device", "variant", "verification", "latency", "samples", "steady",
                "compute", "bandwidth", "working set"), labels);
        assertTrue(r.outLines().get(4).startsWith("verification  ok"), r.out());
    }
}

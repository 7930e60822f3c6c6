package dev.tokenmill.cli;

import dev.tokenmill.cuda.CudaBackend;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * The bundle's {@code tokenmill-tests}, run as a user runs it, on a copy laid out as a bundle whose {@code tokenmill}
 * runs this build's CLI: its arguments, and what {@code gpu DIR} does on a machine without a GPU (says so at once,
 * with the driver's reason, and exits 1). What it does on a GPU waits for one.
 */
class TokenmillTestsScriptTest {
    @TempDir Path tmp;
    private Path bundle;

    @BeforeEach
    void layOutABundle() throws IOException {
        bundle = Files.createDirectories(tmp.resolve("bundle"));
        Files.copy(Path.of("src/bundle/tokenmill-tests"), bundle.resolve("tokenmill-tests"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        executable(bundle.resolve("tokenmill"), "#!/bin/sh\nexec " + java + " --add-modules=jdk.incubator.vector "
                + "--enable-native-access=ALL-UNNAMED -cp '" + System.getProperty("java.class.path") + "' dev.tokenmill.cli.Main \"$@\"\n");
    }

    @Test
    void gpuWithoutADirectoryOrAnUnknownCommandIsUsageAndExit2() throws Exception {
        for (List<String> args : List.of(List.of("gpu"), List.of("gpu", "a", "b"), List.of("bogus"), List.of("tag"))) {
            Run r = run(args);
            assertEquals(2, r.code, args + ": " + r.err);
            assertTrue(r.err.contains("./tokenmill-tests gpu DIR"), r.err);
            assertEquals("", r.out, args.toString());
        }
    }

    @Test
    void withoutAGpuItSaysSoWithinSecondsAndExits1() throws Exception {
        assumeFalse(new CudaBackend().availability().available(), "this machine has a GPU: the whole check would run");
        Path dir = tmp.resolve("out");
        long t0 = System.nanoTime();
        Run r = run(List.of("gpu", dir.toString()));
        double seconds = (System.nanoTime() - t0) * 1e-9;
        assertEquals(1, r.code, r.out + r.err);
        assertTrue(seconds < 20, "took " + seconds + " s");
        String reason = new CudaBackend().availability().reason();
        assertEquals("tokenmill-tests: no working GPU here: " + reason, r.err.strip());
        assertTrue(r.out.lines().anyMatch(l -> l.matches("devices\\s+FAIL \\(no GPU\\)\\s+\\d+s\\s+devices\\.log")), r.out);
        assertFalse(r.out.contains("gpu tests") || r.out.contains("run.log"), "nothing runs after the devices step");
        assertTrue(Files.readString(dir.resolve("devices.log")).contains("cuda: not available: " + reason));
    }

    private static void executable(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private record Run(int code, String out, String err) {}

    private Run run(List<String> args) throws Exception {
        List<String> command = Stream.concat(Stream.of("bash", bundle.resolve("tokenmill-tests").toString()), args.stream()).toList();
        ProcessBuilder pb = new ProcessBuilder(command).directory(tmp.toFile());
        pb.environment().remove("TOKENMILL_TESTS_SECONDS");
        Path out = tmp.resolve("stdout"), err = tmp.resolve("stderr");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        p.getOutputStream().close();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "tokenmill-tests did not finish");
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }
}

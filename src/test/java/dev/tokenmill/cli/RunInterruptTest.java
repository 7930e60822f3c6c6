package dev.tokenmill.cli;

import dev.tokenmill.jmh.ForkFlags;
import dev.tokenmill.report.Comparison;
import dev.tokenmill.report.ResultFile;
import dev.tokenmill.report.ResultFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real {@code run} on the fake device, in its own VM, sent SIGTERM once its first trial has finished: the JMH fork
 * is ended with it, the temporary files go, and the finished trials are kept in a result file marked partial. The VM
 * gets a temporary directory of its own, so the test sees exactly its files (and no other run's JMH lock).
 */
class RunInterruptTest {
    @TempDir Path dir;

    @Test
    void aSignalStopsTheForkKeepsTheFinishedTrialsAndSaysWhere() throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp")), out = dir.resolve("results");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(ForkFlags.ALL);
        command.addAll(List.of("-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "run", "--quick", "--backend", "fake", "--suite", "decode", "--model", "llama-3.2-1b",
                "--out", out.toString()));
        Process run = new ProcessBuilder(command).start();
        CountDownLatch firstTrial = new CountDownLatch(1);
        CompletableFuture<String> log = CompletableFuture.supplyAsync(() -> {
            StringBuilder text = new StringBuilder();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(run.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    text.append(line).append('\n');
                    if (line.contains("/call")) firstTrial.countDown();
                }
            } catch (java.io.IOException e) {
                text.append(e);
            }
            return text.toString();
        });
        CompletableFuture<String> table = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                return e.toString();
            }
        });
        try {
            assertTrue(firstTrial.await(180, TimeUnit.SECONDS), "no trial finished:\n" + (run.isAlive() ? "" : log.get()));
            List<ProcessHandle> forks = run.descendants().toList();
            run.toHandle().destroy();   // SIGTERM (Process.destroy would also close the streams we read)
            assertTrue(run.waitFor(60, TimeUnit.SECONDS), "the run did not exit after SIGTERM");
            String text = log.get(10, TimeUnit.SECONDS);
            assertEquals(143, run.exitValue(), text);
            for (ProcessHandle fork : forks)
                assertFalse(fork.onExit().thenApply(ProcessHandle::isAlive).get(10, TimeUnit.SECONDS), "a fork outlived the run");

            assertTrue(text.contains("tokenmill: stopped by a signal (SIGINT or SIGTERM) after "), text);
            Path file;
            try (Stream<Path> files = Files.walk(out)) {
                file = files.filter(p -> p.toString().endsWith("-partial.json")).findFirst().orElseThrow();
            }
            assertTrue(text.contains(" measured before the stop are in " + file + ", marked partial"), text);
            ResultFile partial = ResultFiles.read(file);
            assertTrue(partial.partial());
            assertFalse(partial.records().isEmpty());
            String measured = table.get(10, TimeUnit.SECONDS);
            assertTrue(measured.contains("\ndecode  append"), "the table of what was measured:\n" + measured);
            assertTrue(new Comparison(List.of(partial)).markdown(List.of()).contains("a partial run (stopped by a signal"));
            try (Stream<Path> left = Files.list(tmp)) {
                List<String> names = left.map(p -> p.getFileName().toString()).toList();
                assertTrue(names.stream().noneMatch(n -> n.startsWith("tokenmill-jmh-")), names.toString());
            }
        } finally {
            run.descendants().forEach(ProcessHandle::destroyForcibly);
            run.destroyForcibly();
        }
    }
}

package dev.tokenmill.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The run and devices commands' answers to bad input and unavailable backends (run's success path: SuiteRunTest). */
class MeasureCommandsTest {
    @TempDir Path dir;

    private final StringWriter out = new StringWriter(), err = new StringWriter();

    private int tokenmill(String... args) {
        return Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void runRefusesABadSuiteModelOrBackendInOneSentence() {
        assertEquals(Main.USAGE, tokenmill("run", "--suite", "train", "--out", dir.toString()));
        assertEquals("tokenmill: suite must be one of prefill, decode, all, got 'train'\n", err.toString());
        err.getBuffer().setLength(0);
        assertEquals(Main.USAGE, tokenmill("run", "--model", "gpt-5", "--out", dir.toString()));
        assertTrue(err.toString().startsWith("tokenmill: model must be one of llama-3.1-8b"), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(1, tokenmill("run", "--backend", "fake-offline", "--out", dir.toString()));
        assertEquals("tokenmill: the fake-offline backend does not work here: the fake device is switched off\n", err.toString());
        err.getBuffer().setLength(0);
        assertEquals(Main.USAGE, tokenmill("run", "--backend", "tpu", "--out", dir.toString()));
        assertTrue(err.toString().startsWith("tokenmill: backend must be one of auto, cpu, cuda, emu, fake"), err.toString());
    }

    @Test
    void devicesSaysWhichBackendsWorkAndWhyNot() {
        assertEquals(0, tokenmill("devices"), err.toString());
        String text = out.toString();
        assertTrue(text.contains("cpu: "), text);
        assertTrue(text.contains("fake: Fake Accelerator 9000 [fake-9000]\n  "), text);
        assertTrue(text.contains("fake-offline: not available: the fake device is switched off"), text);
        assertTrue(text.contains("emu: tokenmill PTX emulator (sm_80, 8 SMs) [emu-sm80]\n"), text);
        assertTrue(text.contains("  what: tokenmill's PTX interpreter on this CPU"), text);
        List<String> emu = text.lines().dropWhile(l -> !l.startsWith("emu: ")).skip(1).takeWhile(l -> l.startsWith("  ")).toList();
        assertTrue(emu.contains("  sms: 8"), emu.toString());
        assertTrue(emu.stream().noneMatch(l -> l.contains("datasheet")), "the emulator measures nothing, so no ceiling applies: " + emu);
        assertTrue(text.contains("NVIDIA H100 SXM"), text);
    }
}

package dev.tokenmill.cli;

import dev.tokenmill.measure.Timer;
import dev.tokenmill.op.DType;
import dev.tokenmill.op.LinearSpec;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A long op says what it is doing on stderr; a quick one stays quiet. */
class ProgressTest {
    @Test
    void aPhaseIsAnnouncedOnlyOnceItHasLastedTheDelay() throws Exception {
        StringWriter err = new StringWriter();
        try (Progress p = new Progress(new PrintWriter(err, true), 0.05)) {
            p.accept("quick");
            p.accept("verifying against the float64 reference");   // "quick" ended before its delay
            Thread.sleep(1000);
            p.accept("last");
        }                                                          // "last" ended before its delay
        Thread.sleep(200);
        assertEquals("tokenmill: verifying against the float64 reference ...\n", err.toString());
    }

    @Test
    void opTellsEachPhaseAsItBegins() {
        List<String> phases = new ArrayList<>();
        OpRunner.run(new ScriptedBackend(ScriptedBackend.passing(), 1e-3), new LinearSpec(4, 8, 16, DType.F32), 1,
                new Timer(0.01, 0.01, 10, 100), phases::add);
        assertEquals(4, phases.size(), phases.toString());
        assertTrue(phases.get(0).startsWith("preparing: allocating up to "), phases.get(0));
        assertTrue(phases.get(0).endsWith(" of operands and filling them with random inputs"), phases.get(0));
        assertEquals("verifying fake.kernel against the float64 reference", phases.get(1));
        assertEquals("warming up: 0.01 to 0.04 s, until the JIT is quiet and two windows agree", phases.get(2));
        assertEquals("timing: at least 0.01 s and 10 samples", phases.get(3));
    }
}

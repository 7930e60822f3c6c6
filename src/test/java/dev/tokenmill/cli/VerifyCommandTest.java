package dev.tokenmill.cli;

import dev.tokenmill.Defaults;
import dev.tokenmill.backend.PrepareOptions;
import dev.tokenmill.cuda.CudaBackend;
import dev.tokenmill.op.DType;
import dev.tokenmill.op.OpSpec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

class VerifyCommandTest {
    private static final Pattern SUMMARY = Pattern.compile("verify: (\\d+) checks, (\\d+) passed, (\\d+) failed .*");

    @Test
    void oneLinePerCheckThenACountAndTheExitCodeFollowsIt() {
        Cli.Result r = Cli.run("verify", "--quick", "--backend", "cpu");
        List<String> lines = r.outLines();
        List<OpSpec> cases = VerifyCases.of(true, Defaults.SEED);
        assertEquals(cases.size() + DType.values().length + 1, lines.size(), r.out());
        for (int i = 0; i < cases.size(); i++) {
            String line = lines.get(i);
            assertTrue(line.matches("(ok|FAIL) +cpu +" + cases.get(i).op() + " +" + cases.get(i).dtype().id() + " .*"), line);
        }
        for (DType t : DType.values()) {
            String line = lines.get(cases.size() + t.ordinal());
            assertTrue(line.matches("(ok|FAIL) +cpu +peak +" + t.id() + " +compute-peak probe  cpu\\.probe\\.fma\\.f32 .*"), line);
        }
        Matcher m = SUMMARY.matcher(lines.getLast());
        assertTrue(m.matches(), lines.getLast());
        int checks = Integer.parseInt(m.group(1)), passed = Integer.parseInt(m.group(2)), failed = Integer.parseInt(m.group(3));
        assertEquals(cases.size() + DType.values().length, checks);
        assertEquals(checks, passed + failed);
        assertEquals(failed, lines.stream().filter(l -> l.startsWith("FAIL")).count());
        assertEquals(failed == 0 ? 0 : 1, r.code());
    }

    @Test
    void everyCpuKernelPassesTheQuickRun() {
        VerifyCases.of(true, Defaults.SEED).forEach(Cli::assumeCpuKernel);
        Cli.Result r = Cli.run("verify", "--quick", "--backend", "cpu");
        assertEquals(0, r.code(), r.out());
        assertTrue(r.outLines().getLast().contains(" 0 failed"), r.out());
    }

    @Test
    void backendsThatDoNotWorkAreSkippedVisibly() {
        assumeFalse(new CudaBackend().availability().available(), "CUDA works here");
        Cli.Result r = Cli.run("verify", "--quick", "--seed", "5");
        assertTrue(r.outLines().contains("skip  cuda: " + new CudaBackend().availability().reason()), r.out());
        assertTrue(r.outLines().getLast().endsWith("(random shapes from --seed 5)"), r.out());
    }

    @Test
    void aNamedBackendMustWork() {
        OpCommandErrorsTest.assertOneSentence(Cli.run("verify", "--backend", "tpu"), "backend must be one of auto, cpu, cuda");
        assumeFalse(new CudaBackend().availability().available(), "CUDA works here");
        Cli.Result r = Cli.run("verify", "--backend", "cuda");
        assertEquals(1, r.code());
        OpCommandErrorsTest.assertOneSentence(r, "the cuda backend does not work here");
    }
}

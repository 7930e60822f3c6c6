package dev.tokenmill.cpu;

import dev.tokenmill.tensor.Operands;
import dev.tokenmill.op.OpSpec;
import dev.tokenmill.reference.Verification;
import dev.tokenmill.reference.Verifier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs the CPU kernel for a spec on fresh operands and asserts that they pass verification. */
final class AttentionCheck {
    private AttentionCheck() {}

    static Verification verify(OpSpec spec, long seed) {
        try (Operands ops = Operands.create(spec, seed)) {
            CpuBackend.kernel(spec).run(ops);
            Verification v = Verifier.check(ops);
            assertTrue(v.passed(), () -> spec + ": " + v.summary());
            return v;
        }
    }
}

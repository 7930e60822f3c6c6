package dev.tokenmill.jmh;

import dev.tokenmill.backend.BackendException;
import dev.tokenmill.op.CopySpec;
import dev.tokenmill.testing.FakeBackend;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrialTest {
    @Test
    void anOpWhoseVerificationThrowsIsClosed() {
        var e = assertThrows(BackendException.class, () -> Trial.oneSet("fake-broken", () -> new CopySpec(1024)));
        assertTrue(e.getMessage().contains("CUDA_ERROR_ILLEGAL_ADDRESS"), e.getMessage());
        assertEquals(0, FakeBackend.Broken.openOps(), "the prepared op (up to 8 GiB on a GPU) is not left behind");
    }
}

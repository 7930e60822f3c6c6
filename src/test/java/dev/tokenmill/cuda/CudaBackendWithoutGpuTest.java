package dev.tokenmill.cuda;

import dev.tokenmill.backend.Availability;
import dev.tokenmill.backend.BackendException;
import dev.tokenmill.backends.BackendCatalog;
import dev.tokenmill.backend.PrepareOptions;
import dev.tokenmill.op.CopySpec;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** What the backend does where CUDA does not work (this runs everywhere; the second half only without a driver). */
class CudaBackendWithoutGpuTest {
    private final CudaBackend cuda = new CudaBackend();

    @Test
    void availabilityNeverThrowsAndGivesAReasonWhenUnavailable() {
        Availability a = cuda.availability();
        if (!a.available()) {
            assertFalse(a.reason().isBlank(), "an unavailable backend says why");
            assertFalse(a.reason().contains("\n"), "the reason is one sentence, not a stack trace: " + a.reason());
        }
        assertEquals("cuda", cuda.device().backend());
    }

    @Test
    void withoutLibcudaTheReasonNamesTheMissingDriver() {
        assumeFalse(libcudaLoads(), "libcuda.so.1 is present here");
        Availability a = cuda.availability();
        assertFalse(a.available());
        assertTrue(a.reason().contains("libcuda.so.1"), a.reason());
        assertTrue(cuda.device().properties().get("reason").toString().contains("libcuda.so.1"));
    }

    @Test
    void unavailableBackendRefusesToPrepareWithTheReason() {
        assumeFalse(cuda.availability().available(), "CUDA works here");
        var e = assertThrows(BackendException.class, () -> cuda.prepare(new CopySpec(1024), PrepareOptions.single()));
        assertTrue(e.getMessage().contains(cuda.availability().reason()), e.getMessage());
        var named = assertThrows(BackendException.class, () -> BackendCatalog.select("cuda"));
        assertTrue(named.getMessage().contains(cuda.availability().reason()), named.getMessage());
        try (var auto = BackendCatalog.select("auto")) {
            assertEquals("cpu", auto.name(), "auto falls back to the CPU");
        }
    }

    @Test
    void linkFailuresBecomeOneSentence() {
        var missingDriver = new UnsatisfiedLinkError("Error while loading native library \"JCudaDriver\"\n---(start of nested stack traces)---\n"
                + "java.lang.UnsatisfiedLinkError: /tmp/libJCudaDriver.so: libcuda.so.1: cannot open shared object file");
        assertEquals("no NVIDIA driver here: libcuda.so.1 (the driver's CUDA library) was not found",
                NvidiaProbe.linkFailure(missingDriver));
        var oldDriver = new UnsatisfiedLinkError("Error while loading native library\n---\njava.lang.UnsatisfiedLinkError: "
                + "/tmp/libJCudaDriver.so: /lib/x86_64-linux-gnu/libcuda.so.1: undefined symbol: cuStreamGetId");
        assertEquals("the NVIDIA driver lacks cuStreamGetId, which JCuda 12.6 needs: update the NVIDIA driver to R535 (CUDA 12.2) "
                + "or newer", NvidiaProbe.linkFailure(oldDriver));
        var noexec = new UnsatisfiedLinkError("Error while loading native library \"JCudaDriver-12.6.0-linux-x86_64\"\n"
                + "---(start of nested stack traces)---\nStack trace from the attempt to load the library as a resource:\n"
                + "java.lang.UnsatisfiedLinkError: /tmp/libJCudaDriver-12.6.0-linux-x86_64.so: /tmp/libJCudaDriver-12.6.0-"
                + "linux-x86_64.so: failed to map segment from shared object\n\tat java.base/jdk.internal.loader.NativeLibraries.load");
        assertEquals("JCuda could not load the native library it unpacked into /tmp (a directory mounted noexec does this): "
                + "point java.io.tmpdir at one that allows executables (TOKENMILL_JAVA_OPTS=-Djava.io.tmpdir=$HOME/.cache/tokenmill)",
                NvidiaProbe.linkFailure(noexec));
        var noCxxRuntime = new UnsatisfiedLinkError("Error while loading native library\n---\njava.lang.UnsatisfiedLinkError: "
                + "/tmp/libJCudaDriver-12.6.0-linux-x86_64.so: libstdc++.so.6: cannot open shared object file: No such file or directory");
        assertEquals("JCuda's native library needs the C++ runtime libstdc++.so.6, which is not installed here: install it "
                + "(apt-get install libstdc++6, dnf install libstdc++, apk add libstdc++)", NvidiaProbe.linkFailure(noCxxRuntime));
        String other = NvidiaProbe.linkFailure(new UnsatisfiedLinkError("wrong ELF class\nmore"));
        assertTrue(other.startsWith("JCuda's native library did not load") && !other.contains("\n"), other);
    }

    private static boolean libcudaLoads() {
        try {
            SymbolLookup.libraryLookup("libcuda.so.1", Arena.global());
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}

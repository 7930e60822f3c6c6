package dev.tokenmill.cuda;

import dev.tokenmill.backend.Availability;
import dev.tokenmill.testing.MutatedPtx;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code TOKENMILL_PTX_DIR}: a directory replaces the jar's kernels for every family, and what is wrong with it is said
 * before anything runs (checked on the emulator, which needs no GPU; the cuda backend reads the same library).
 */
@Tag("emu")
class PtxLibraryTest {
    @TempDir Path dir;

    @Test
    void theJarUnlessTheVariableNamesADirectory() {
        assertSame(PtxLibrary.packaged(), PtxLibrary.fromEnvironment(Map.of()));
        assertSame(PtxLibrary.packaged(), PtxLibrary.fromEnvironment(Map.of(PtxLibrary.ENV, " ")));
        PtxLibrary d = PtxLibrary.fromEnvironment(Map.of(PtxLibrary.ENV, dir.toString()));
        assertEquals("TOKENMILL_PTX_DIR=" + dir.toAbsolutePath(), d.where());
        assertEquals(PtxSource.find("kv", 80).orElseThrow().text(), MutatedPtx.committed("kv"));
    }

    @Test
    void theDeviceSaysWhichFileEachFamilyComesFrom() {
        MutatedPtx.copyCommitted(dir);
        try (EmuBackend emu = new EmuBackend(dir)) {
            assertTrue(emu.availability().available(), emu.availability().reason());
            assertEquals("sm_80 (ISA 7.0) from " + dir.resolve("decode.sm_80.ptx").toAbsolutePath(),
                    emu.device().properties().get("ptx_decode"));
        }
    }

    @Test
    void aFamilyMissingFromTheDirectoryIsMissingNotTakenFromTheJar() throws Exception {
        MutatedPtx.copyCommitted(dir);
        Files.delete(dir.resolve("gemv.sm_80.ptx"));
        try (EmuBackend emu = new EmuBackend(dir)) {
            Availability a = emu.availability();
            assertEquals("TOKENMILL_PTX_DIR=" + dir.toAbsolutePath() + " has no gemv.sm_XX.ptx for compute capability 8.0 "
                    + "(kernels/build.sh writes every family's)", a.reason());
        }
    }

    @Test
    void ptxTheEmulatorCannotRunIsRefusedNamingFileLineAndStatement() {
        MutatedPtx.copyCommitted(dir);
        MutatedPtx.edit(dir, "kv", "tm_copy_probe", MutatedPtx.replaceNth("setp\\.ge\\.u64", 1, "setp.ge.q64"));
        try (EmuBackend emu = new EmuBackend(dir)) {
            String reason = emu.availability().reason();
            assertTrue(reason.startsWith("the PTX emulator cannot run " + dir.resolve("kv.sm_80.ptx").toAbsolutePath() + ": "),
                    reason);
            assertTrue(reason.contains("kv.sm_80.ptx:") && reason.contains("setp.ge.q64"), reason);
        }
    }

    @Test
    void aVariableThatNamesNoDirectoryIsSaid() {
        try (EmuBackend emu = new EmuBackend(dir.resolve("nowhere"))) {
            assertTrue(emu.availability().reason().endsWith("nowhere is not a directory (it should hold the <family>.sm_80.ptx "
                    + "files that kernels/build.sh writes to kernels/ptx)"), emu.availability().reason());
        }
    }
}

package dev.tokenmill.cuda;

import java.nio.file.Path;

/**
 * The PTX emulator as a backend: the CUDA backend's kernels (packaged in the jar, or {@link PtxLibrary#ENV}'s
 * directory), launchers, operand sets and verification, on {@link EmuDriver}'s interpreter instead of a GPU. Available
 * wherever Java runs. It verifies (any sanitizer-style finding fails verification) and counts; it never times.
 */
public final class EmuBackend extends GpuBackend {
    public EmuBackend() { super("emu", EmuDriver::open, PtxLibrary.fromEnvironment(System.getenv())); }

    /** The kernels in {@code ptxDirectory} ({@code <family>.sm_80.ptx}), as {@link PtxLibrary#ENV} would name it. */
    EmuBackend(Path ptxDirectory) { super("emu", EmuDriver::open, PtxLibrary.directory(ptxDirectory)); }
}

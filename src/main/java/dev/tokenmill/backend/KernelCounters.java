package dev.tokenmill.backend;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one call of an op did inside its kernels, counted by a backend that executes them instruction by instruction
 * (the PTX emulator) in the spirit of Nsight Compute's metrics. These are facts of the kernels on this shape and
 * data, the same on every GPU, never timings. Summed over the call's launches (a split kernel and its merge, say);
 * {@code launches} lists each with its theoretical occupancy.
 *
 * @param warpInstructionsByClass warp-level instructions by class ({@code fp32}, {@code integer}, {@code memory},
 *                                {@code tensor}, ...), in a stable order, classes that never ran left out
 * @param threadInstructions      lane-level instructions that executed with a true guard
 * @param tensorFlops             FLOPs of the tensor-core MMAs (2 per multiply-add)
 * @param sharedLoads             shared loads, {@code ldmatrix} included (its phases are 8x8 matrices)
 * @param ldmatrixRequests        the {@code ldmatrix} among them, and their wavefronts
 * @param cpAsyncBytes            bytes {@code cp.async} wrote to shared memory (zero fill included)
 * @param cpAsyncGlobalBytes      bytes {@code cp.async} read from global memory
 * @param barriers                barrier completions (each releases a whole CTA)
 * @param emulatorCpuNanos        not a fact of the kernels: the CPU time the emulator spent executing these launches
 *                                (-1 where it could not be measured), which says how fast the emulator runs
 */
public record KernelCounters(List<Launch> launches, Map<String, Long> warpInstructionsByClass, long threadInstructions,
                             long tensorFlops, Traffic globalLoads, Traffic globalStores, Shared sharedLoads,
                             Shared sharedStores, long ldmatrixRequests, long ldmatrixWavefronts, long cpAsyncBytes,
                             long cpAsyncGlobalBytes, long barriers, long emulatorCpuNanos) {
    public KernelCounters {
        launches = List.copyOf(launches);
        warpInstructionsByClass = Collections.unmodifiableMap(new LinkedHashMap<>(warpInstructionsByClass));
    }

    /**
     * One launch: its configuration and its theoretical occupancy on {@code occupancySm} from threads and shared memory
     * alone (registers are ptxas's choice, not the PTX's; kernels/NOTES.md lists them).
     */
    public record Launch(String kernel, String grid, String block, int sharedBytes, String occupancySm, int ctasPerSm,
                         int warpsPerSm, double occupancy, String occupancyLimiter) {}

    /**
     * Global memory requests (one warp-level load or store), the distinct 32-byte sectors their lanes touch, and the
     * bytes the lanes asked for.
     */
    public record Traffic(long requests, long sectors, long bytes) {
        /** 4 for 32 lanes of 4 contiguous bytes, 16 for 16-byte vectors: fully coalesced. */
        public double sectorsPerRequest() { return requests == 0 ? 0 : (double) sectors / requests; }
    }

    /**
     * Shared memory requests and the wavefronts they took; {@code bankConflicts} are the wavefronts beyond one per
     * 128-byte phase of lanes (ldmatrix: one per 8x8 matrix).
     */
    public record Shared(long requests, long wavefronts, long bankConflicts) {}

    /** Every warp instruction. */
    public long warpInstructions() { return warpInstructionsByClass.values().stream().mapToLong(Long::longValue).sum(); }

    /** The emulator's speed: warp instructions per second of CPU time (one core's second), or NaN if unmeasured. */
    public double emulatorWarpInstructionsPerCpuSecond() {
        return emulatorCpuNanos <= 0 ? Double.NaN : warpInstructions() / (emulatorCpuNanos / 1e9);
    }

    /** Bytes read and written in global memory: loads, stores and what cp.async fetched. */
    public long globalBytes() { return globalLoads.bytes() + globalStores.bytes() + cpAsyncGlobalBytes; }
}

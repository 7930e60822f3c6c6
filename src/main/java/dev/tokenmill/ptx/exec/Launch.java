package dev.tokenmill.ptx.exec;

import dev.tokenmill.ptx.ir.Program;

/** Everything that is the same for every CTA of one launch. */
record Launch(Program program, Dim3 grid, Dim3 block, int dynamicShared, byte[] params, GlobalMemory memory,
              LaunchOptions options) {
    int threadsPerCta() {
        return (int) block.count();
    }

    int sharedBytes() {
        return dynamicShared > 0 ? program.dynamicSharedBase() + dynamicShared : program.staticShared();
    }
}

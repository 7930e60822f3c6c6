package dev.tokenmill.ptx;

import dev.tokenmill.ptx.exec.Dim3;
import dev.tokenmill.ptx.exec.GlobalMemory;
import dev.tokenmill.ptx.exec.Interpreter;
import dev.tokenmill.ptx.exec.LaunchReport;
import dev.tokenmill.ptx.ir.Param;
import dev.tokenmill.ptx.ir.Program;

import java.util.List;

/** One entry point of a {@link PtxModule}: its parameter layout, its resources, and its launch. */
public final class Kernel {
    private final Program program;

    Kernel(Program program) {
        this.program = program;
    }

    public String name() {
        return program.name();
    }

    /** Parameters in declaration order, with the offsets cuLaunchKernel lays them out at. */
    public List<Param> params() {
        return program.params();
    }

    /** Bytes of the parameter buffer. */
    public int paramBytes() {
        return program.paramBytes();
    }

    /** Bytes of {@code .shared} variables the entry declares. */
    public int staticShared() {
        return program.staticShared();
    }

    /** {@code .maxntid} (or {@code .reqntid}) as x, y, z, or null. */
    public int[] maxThreads() {
        return program.maxThreads() == null ? null : program.maxThreads().clone();
    }

    /** A zeroed parameter buffer for this entry. */
    public KernelParams newParams() {
        return new KernelParams(program);
    }

    public LaunchReport launch(Interpreter interpreter, Dim3 grid, Dim3 block, int dynamicShared, KernelParams params,
                               GlobalMemory memory) {
        return launch(interpreter, grid, block, dynamicShared, params.bytes(), memory);
    }

    public LaunchReport launch(Interpreter interpreter, Dim3 grid, Dim3 block, int dynamicShared, byte[] params,
                               GlobalMemory memory) {
        return interpreter.launch(program, grid, block, dynamicShared, params, memory);
    }

    /** The decoded program (instructions, registers, layouts), for tools that inspect it. */
    public Program program() {
        return program;
    }
}

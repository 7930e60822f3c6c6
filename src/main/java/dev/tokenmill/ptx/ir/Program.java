package dev.tokenmill.ptx.ir;

import java.util.List;

/**
 * One decoded {@code .entry}: its code, register file sizes, constants and special registers to preload,
 * parameter layout and shared-memory layout. Immutable once built; shared by every launch and thread.
 *
 * @param constR32 pairs (slot, value) of 32-bit constant registers, flattened
 * @param constR64 pairs (slot, value) of 64-bit constant registers, flattened
 * @param constPred pairs (predicate index, 0 or 1), flattened
 * @param specials slots of special registers, parallel to {@code specialKinds}
 * @param staticShared bytes of {@code .shared} variables declared by the entry (and the module)
 * @param dynamicSharedBase where {@code .extern .shared} arrays start: after the statics, at their alignment
 * @param maxThreads {@code .maxntid} or {@code .reqntid} as x, y, z, or null
 * @param requiredThreads {@code .reqntid}, or null
 */
public record Program(String module, String name, Instr[] code, int regs32, int regs64, int preds,
                      long[] constR32, long[] constR64, int[] constPred, int[] specials, SpecialReg[] specialKinds,
                      List<Param> params, int paramBytes, int staticShared, int dynamicSharedBase,
                      int[] maxThreads, int[] requiredThreads) {

    public Param param(String paramName) {
        for (Param p : params) if (p.name().equals(paramName)) return p;
        throw new IllegalArgumentException(name + " has no parameter " + paramName);
    }
}

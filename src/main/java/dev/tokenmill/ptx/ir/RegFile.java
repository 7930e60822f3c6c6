package dev.tokenmill.ptx.ir;

/**
 * The three register files of a warp: 32-lane predicate masks (one int per register), 32-bit lanes (also
 * holding 16-bit and f32 registers, as raw bits) and 64-bit lanes.
 */
public enum RegFile { PRED, R32, R64 }

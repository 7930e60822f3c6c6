package dev.tokenmill.ptx.ir;

/**
 * One {@code .param} of an entry: its byte offset in the parameter buffer, as cuLaunchKernel lays it out
 * (each at its alignment, in declaration order). {@code type} is the element type; {@code size} is the
 * whole parameter ({@code elementSize * count} for arrays such as {@code .param .align 8 .b8 p[16]}).
 */
public record Param(String name, Type type, int offset, int size, int align) {}

package dev.tokenmill.ptx.ir;

/**
 * setp comparisons. For integer types LO/LS/HI/HS are decoded to LT/LE/GT/GE of an unsigned setp; the
 * U-suffixed ones are the unordered float comparisons (true when either input is NaN).
 */
public enum Cmp { EQ, NE, LT, LE, GT, GE, EQU, NEU, LTU, LEU, GTU, GEU, NUM, NAN }

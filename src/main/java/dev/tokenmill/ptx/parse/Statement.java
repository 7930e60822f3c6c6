package dev.tokenmill.ptx.parse;

import java.util.List;

/** One instruction as written: optional guard, the dotted opcode, its operands and where it is. */
record Statement(Operand.Reg guard, String opcode, List<Operand> operands, int line, String text) {}

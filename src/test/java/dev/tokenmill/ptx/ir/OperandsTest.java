package dev.tokenmill.ptx.ir;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

/** Every Op has an operand list, so a new opcode cannot be renamed wrongly by register packing. */
class OperandsTest {
    @Test
    void everyOpIsListed() {
        for (Op op : Op.values()) {
            Instr in = new Instr(op, 1, op.name());
            in.d = in.a = in.b = in.c = in.e = 0;
            in.dv = new int[4];
            in.av = new int[4];
            in.bv = new int[2];
            in.cv = new int[4];
            assertDoesNotThrow(() -> Operands.visit(in, (file, written, offset) -> offset), op::name);
        }
    }
}

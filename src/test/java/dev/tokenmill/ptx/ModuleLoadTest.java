package dev.tokenmill.ptx;

import dev.tokenmill.ptx.ir.Instr;
import dev.tokenmill.ptx.parse.PtxLoadException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every committed module loads, and what the interpreter cannot run is refused at load with file:line. */
@Timeout(60)
class ModuleLoadTest {
    @Test
    void allCommittedModulesAndEntriesLoad() {
        List<String> all = new ArrayList<>();
        for (String f : Ptx.FAMILIES) {
            PtxModule m = Ptx.module(f);
            assertEquals("7.0", m.version());
            assertEquals("sm_80", m.target());
            for (String e : m.kernelNames()) {
                Kernel k = m.kernel(e);
                assertTrue(k.program().code().length > 0, e);
                all.add(e);
            }
        }
        assertEquals(39, all.size(), all.toString());
    }

    @Test
    void parameterLayoutFollowsDeclarations() {
        Kernel k = Ptx.module("kv").kernel("tm_kv_append_f32");
        assertEquals(12, k.params().size());
        assertEquals(40, k.params().get(5).offset());
        assertEquals(48, k.params().get(6).offset());
        assertEquals(6 * 8 + 6 * 4, k.paramBytes());
        assertEquals(256, k.maxThreads()[0]);
    }

    @Test
    void sharedLayoutPutsDynamicAfterStatics() {
        Kernel simt = Ptx.module("linear").kernel("tm_linear_simt_f32");
        assertEquals(8704, simt.staticShared());
        Kernel mma = Ptx.module("linear").kernel("tm_linear_mma_f16");
        assertEquals(0, mma.staticShared());
        assertEquals(0, mma.program().dynamicSharedBase());
    }

    @Test
    void instructionsKeepTheirLines() {
        Kernel k = Ptx.module("kv").kernel("tm_kv_append_f32");
        Instr first = k.program().code()[0];
        assertEquals(37, first.line);
        assertTrue(first.text.startsWith("ld.param.u64"), first.text);
    }

    private static PtxLoadException refused(String body) {
        return assertThrows(PtxLoadException.class, () -> Ptx.kernel("", body));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "frob.b32 %r2, %r3;",
            "add.s16 %rs1, %rs2, %rs3;",
            "add.rz.f32 %f1, %f2, %f3;",
            "add.ftz.f32 %f1, %f2, %f3;",
            "ld.local.u32 %r2, [%rd1];",
            "ld.u32 %r2, [%rd1];",
            "ld.global.L1::evict_last.u32 %r2, [%rd1];",
            "mov.u32 %r2, %clock;",
            "bar.sync 0, 64;",
            "ex2.approx.ftz.f32 %f1, %f2;",
            "rcp.approx.f32 %f1, %f2;",
            "cvt.rzi.s32.f32 %r2, %f1;",
            "cvt.sat.u32.s32 %r2, %r3;",
            "mma.sync.aligned.m16n8k8.row.col.f32.f16.f16.f32 {%f1,%f2,%f3,%f4}, {%r1,%r2}, {%r3}, {%f1,%f2,%f3,%f4};",
            "shfl.bfly.b32 %r2, %r3, 1, 31;",
            "add.s32 %r2, %rd1, %r3;",
            "atom.global.add.u32 %r2, [%rd1], 1;",
    })
    void unsupportedConstructsAreRefusedWithFileAndLine(String body) {
        PtxLoadException e = refused(body);
        assertEquals("test.ptx", e.module());
        assertEquals(16, e.line(), e.getMessage());
        assertTrue(e.getMessage().startsWith("test.ptx:16: cannot load '" + body + "'"), e.getMessage());
    }

    @Test
    void unsupportedStateSpacesAndDirectivesAreRefused() {
        PtxLoadException g = assertThrows(PtxLoadException.class, () -> Ptx.kernel(".global .u32 counter;", "ret;"));
        assertEquals(4, g.line());
        assertTrue(g.getMessage().contains(".global .u32 counter;"), g.getMessage());
        PtxLoadException l = refused(".local .u32 x[4];");
        assertEquals(16, l.line());
        PtxLoadException f = assertThrows(PtxLoadException.class, () -> PtxModule.load("f.ptx",
                ".version 9.0\n.target sm_80\n.address_size 64\n.func foo()\n{\nret;\n}\n"));
        assertEquals("f.ptx:4: unsupported module-level directive '.func foo()'", f.getMessage());
    }

    @Test
    void undeclaredRegistersAndLabelsAreRefused() {
        assertTrue(refused("add.s32 %r2, %r99, 1;").getMessage().contains("undeclared or unsupported register %r99"));
        assertTrue(refused("bra $L__nowhere;").getMessage().contains("unknown label $L__nowhere"));
    }
}

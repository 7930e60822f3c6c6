package dev.tokenmill.ptx;

import dev.tokenmill.ptx.check.FindingKind;
import dev.tokenmill.ptx.exec.Dim3;
import dev.tokenmill.ptx.exec.GlobalMemory;
import dev.tokenmill.ptx.exec.LaunchReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What cuLaunchKernel checks and lays out: parameters, block limits, static and dynamic shared memory. */
@Timeout(60)
class LaunchTest {
    private static final PtxModule M = PtxModule.load("launch.ptx", """
            .version 9.0
            .target sm_80
            .address_size 64
            .extern .shared .align 16 .b8 dyn[];
            .visible .entry k(.param .u64 out, .param .align 8 .b8 blob[16], .param .u32 n)
            .reqntid 32, 1, 1
            {
                .reg .b32 %r<8>;
                .reg .b64 %rd<4>;
                .shared .align 4 .b8 stat[20];
                ld.param.u64 %rd1, [out];
                ld.param.u32 %r1, [blob+8];
                ld.param.u32 %r2, [n];
                mov.u32 %r3, dyn;
                mov.u32 %r4, stat;
                st.shared.u32 [stat+4], %r1;
                ld.shared.u32 %r5, [%r4+4];
                st.global.v4.u32 [%rd1], {%r1, %r2, %r3, %r5};
                ret;
            }
            """);

    @Test
    void arrayParametersSymbolOffsetsAndDynamicSharedAfterTheStatics() {
        Kernel k = M.kernel("k");
        assertEquals(8, k.params().get(1).offset());
        assertEquals(24, k.params().get(2).offset());
        assertEquals(28, k.paramBytes());
        GlobalMemory mem = new GlobalMemory();
        long out = mem.alloc(16);
        byte[] blob = new byte[16];
        blob[8] = 42;
        LaunchReport r = k.launch(Ptx.SERIAL, Dim3.of(1), Dim3.of(32), 64, k.newParams().set(0, out).set(1, blob).set(2, 7), mem);
        assertTrue(r.clean(), r::toString);
        assertArrayEquals(new int[] {42, 7, 32, 42}, mem.readInts(out, 4), "dynamic window at 32: the 20 static bytes rounded up to 16");
        assertEquals(32 + 64, r.sharedPerCta());
    }

    @Test
    void launchErrorsAreRefusedBeforeRunning() {
        Kernel k = M.kernel("k");
        GlobalMemory mem = new GlobalMemory();
        byte[] params = k.newParams().bytes();
        IllegalArgumentException req = assertThrows(IllegalArgumentException.class,
                () -> k.launch(Ptx.SERIAL, Dim3.of(1), Dim3.of(64), 0, params, mem));
        assertTrue(req.getMessage().contains(".maxntid") || req.getMessage().contains(".reqntid"), req.getMessage());
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> k.launch(Ptx.SERIAL, Dim3.of(1), Dim3.of(32), 0, new byte[12], mem));
        assertTrue(size.getMessage().contains("parameter buffer has 12 bytes, the entry declares 28"), size.getMessage());
        assertThrows(IllegalArgumentException.class, () -> k.launch(Ptx.SERIAL, Dim3.of(1), Dim3.of(32), 1 << 20, params, mem));
        assertThrows(IllegalArgumentException.class, () -> k.newParams().set(1, 5));
    }

    @Test
    void cpAsyncSourceLargerThanItsCopyIsReported() {
        LaunchReport r = new Ptx.Run(4, new int[4]).launch(Ptx.kernel(".shared .align 16 .b8 s[16];", """
                mov.u32 %r2, s;
                cp.async.ca.shared.global [%r2], [%rd1], 8, 12;
                cp.async.wait_all;
                """), Dim3.of(1), Dim3.of(1), 0).report;
        assertEquals(FindingKind.CP_ASYNC_BAD_SIZE, r.findings().getFirst().kind(), r::toString);
    }
}

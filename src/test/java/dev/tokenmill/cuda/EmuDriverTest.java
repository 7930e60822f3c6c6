package dev.tokenmill.cuda;

import dev.tokenmill.backend.BackendException;
import dev.tokenmill.backend.PrepareOptions;
import dev.tokenmill.backend.PreparedOp;
import dev.tokenmill.op.AppendSpec;
import dev.tokenmill.op.DType;
import dev.tokenmill.op.KvLayout;
import dev.tokenmill.ptx.check.Finding;
import dev.tokenmill.ptx.check.FindingKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link EmuDriver} as the launchers use a driver: memory whose host writes count as initialized, launches that run
 * in order when enqueued, graphs that record and replay, events that refuse to time, and a device description that
 * says what it is.
 */
@Tag("emu")
class EmuDriverTest {
    private static final int WORDS = 1000; // 4000 bytes: 250 16-byte units for the copy probe
    private final EmuDriver driver = EmuDriver.open();
    private final CudaDevice device = new CudaDevice(driver);

    @AfterEach
    void close() { device.close(); }

    private KernelFunction copyProbe() { return device.module("kv").function(CopyLauncher.KERNEL); }

    private void copy(Driver.Stream stream, DeviceBuffer src, DeviceBuffer dst) {
        copyProbe().launch(Dim3.of(1), Dim3.of(256), 0, stream, new KernelArgs().ptr(src).ptr(dst).i64(src.bytes() / 16));
    }

    private DeviceBuffer upload(int[] values) { return DeviceBuffer.of(driver, values); }

    private int[] download(DeviceBuffer b) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(b.bytes());
            b.download(host);
            return host.toArray(ValueLayout.JAVA_INT);
        }
    }

    private static int[] counting() { return IntStream.range(0, WORDS).toArray(); }

    @Test
    void launchesRunInOrderWhenEnqueued() {
        try (DeviceBuffer a = upload(counting()); DeviceBuffer b = DeviceBuffer.allocate(driver, 4L * WORDS);
             DeviceBuffer c = DeviceBuffer.allocate(driver, 4L * WORDS); Driver.Stream s = driver.createStream()) {
            copy(s, a, b);
            copy(s, b, c); // reads what the first launch wrote: it ran already
            assertArrayEquals(counting(), download(c));
            List<KernelRun> runs = driver.takeRuns();
            assertEquals(List.of("tm_copy_probe", "tm_copy_probe"), runs.stream().map(KernelRun::kernel).toList());
            assertTrue(runs.stream().allMatch(r -> r.report().clean() && r.family().equals("kv")), runs::toString);
            assertEquals(List.of(), driver.takeRuns(), "taken once");
        }
    }

    @Test
    void memoryNobodyWroteIsReportedWhenAKernelReadsIt() {
        try (DeviceBuffer unwritten = DeviceBuffer.allocate(driver, 4L * WORDS);
             DeviceBuffer dst = DeviceBuffer.allocate(driver, 4L * WORDS); Driver.Stream s = driver.createStream()) {
            copy(s, unwritten, dst);
            List<Finding> findings = driver.takeRuns().getFirst().report().findings();
            assertTrue(findings.stream().anyMatch(f -> f.kind() == FindingKind.UNINITIALIZED_GLOBAL), findings::toString);
        }
    }

    @Test
    void graphsRecordTheirLaunchesAndReplayThem() {
        try (DeviceBuffer a = upload(counting()); DeviceBuffer b = DeviceBuffer.allocate(driver, 4L * WORDS);
             Driver.Stream s = driver.createStream()) {
            Driver.Graph g = driver.capture(s, () -> copy(s, a, b));
            assertEquals(List.of(), driver.takeRuns(), "nothing runs while a graph is captured");
            g.launch(s);
            g.launch(s);
            assertEquals(2, driver.takeRuns().size());
            assertArrayEquals(counting(), download(b));
            g.close();
        }
    }

    @Test
    void eventsRefuseToTimeInOneSentence() {
        try (Driver.Stream s = driver.createStream(); Driver.Event start = driver.createEvent(); Driver.Event stop = driver.createEvent()) {
            start.record(s);
            stop.record(s);
            BackendException e = assertThrows(BackendException.class, () -> stop.millisSince(start));
            assertEquals(driver.cannotTime().orElseThrow(), e.getMessage());
            assertTrue(e.getMessage().contains("measures no time") && !e.getMessage().contains("\n"), e.getMessage());
        }
    }

    /** The graph sizing of a timed op asks an event for a time first thing: it gets the sentence, and the op still verifies. */
    @Test
    void aTimedCallOnAPreparedOpIsRefusedAndTheOpStillVerifies() {
        AppendSpec spec = AppendSpec.uniform(2, 2, 64, 5, KvLayout.PAGED, 16, DType.F16);
        try (PreparedOp op = CudaPreparedOp.prepare(device, spec, PrepareOptions.single())) {
            BackendException e = assertThrows(BackendException.class, () -> op.secondsPerCall(1));
            assertEquals(driver.cannotTime().orElseThrow(), e.getMessage());
            assertTrue(op.verify().passed());
            assertTrue(op.counters().isPresent(), "the emulator counts what the verified call did");
            assertEquals(1, op.counters().get().launches().size());
        }
    }

    @Test
    void theDeviceSaysItIsTheEmulator() {
        DeviceProperties p = driver.properties();
        assertEquals(80, p.computeCapability());
        assertEquals(EmuDriver.SMS, p.sms());
        assertTrue(p.info().name().contains("emulator"), p.info().name());
        assertEquals("emu", p.info().backend());
        assertTrue(p.info().properties().get("what").toString().contains("never timings"));
        assertTrue(driver.inspects());
    }

    @Test
    void launchErrorsAreRefusedAsAGpuWouldRefuseThem() {
        try (DeviceBuffer a = upload(counting()); DeviceBuffer b = DeviceBuffer.allocate(driver, 4L * WORDS);
             Driver.Stream s = driver.createStream()) {
            Driver.Function f = driver.load(PtxSource.find("kv", 80).orElseThrow()).function(CopyLauncher.KERNEL).orElseThrow();
            KernelArgs args = new KernelArgs().ptr(a).ptr(b).i64(a.bytes() / 16);
            var tooBig = assertThrows(BackendException.class, () -> f.launch(Dim3.of(1), Dim3.of(1024), 0, s, args));
            assertTrue(tooBig.getMessage().startsWith("launching tm_copy_probe grid (1,1,1) block (1024,1,1)"), tooBig.getMessage());
            var noOptIn = assertThrows(BackendException.class, () -> f.launch(Dim3.of(1), Dim3.of(256), 64 * 1024, s, args));
            assertTrue(noOptIn.getMessage().contains("above the 49152 it was allowed"), noOptIn.getMessage());
            var wrongArgs = assertThrows(BackendException.class, () -> f.launch(Dim3.of(1), Dim3.of(256), 0, s,
                    new KernelArgs().ptr(a).ptr(b).i32(1)));
            assertTrue(wrongArgs.getMessage().contains("parameter 2 is 8 bytes"), wrongArgs.getMessage());
            assertFalse(driver.takeRuns().iterator().hasNext(), "nothing ran");
        }
    }

    @Test
    void memoryIsBoundedByTheHeapAndFreedAllocationsAreReturned() {
        long free = driver.freeMemory();
        assertTrue(free > 0 && free <= Runtime.getRuntime().maxMemory() / 2);
        try (DeviceBuffer b = DeviceBuffer.allocate(driver, 1 << 20)) {
            assertEquals(free - (1 << 20), driver.freeMemory());
        }
        assertEquals(free, driver.freeMemory());
        var huge = assertThrows(BackendException.class, () -> DeviceBuffer.allocate(driver, 3L << 30));
        assertTrue(huge.getMessage().contains("at most 2 GiB"), huge.getMessage());
    }
}

package dev.tokenmill.cuda;

import dev.tokenmill.backend.BackendException;
import dev.tokenmill.backend.Bytes;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUfunction;
import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static jcuda.driver.CUevent_flags.CU_EVENT_DEFAULT;
import static jcuda.driver.CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES;
import static jcuda.driver.CUjit_option.CU_JIT_ERROR_LOG_BUFFER;
import static jcuda.driver.CUjit_option.CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES;
import static jcuda.driver.CUresult.CUDA_ERROR_NOT_FOUND;
import static jcuda.driver.CUresult.CUDA_SUCCESS;
import static jcuda.driver.CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL;
import static jcuda.driver.CUstream_flags.CU_STREAM_NON_BLOCKING;

/**
 * The {@link Driver} of a real GPU: the NVIDIA driver's API through JCuda, on the GPU {@link NvidiaProbe} found.
 * Opening retains the device's primary context (shared with any other CUDA user in the process) and
 * {@link #close()} releases it. Every call's result goes through {@link CudaErrors#check}. Typed kernel
 * arguments and {@code long} addresses become JCuda's pointers here, and nowhere else.
 */
final class NvidiaDriver implements Driver {
    /** Host segments are copied in slices: a ByteBuffer view (what JCuda takes) holds at most 2 GiB. */
    private static final long COPY_SLICE = 1L << 30;
    private static final int JIT_LOG_BYTES = 64 * 1024;

    private final CUdevice device;
    private final CUcontext context;
    private final int driverVersion;
    private final DeviceProperties properties;
    /** Live allocations and their sizes: frees name the size, and an unknown address is refused. */
    private final Map<Long, Long> allocations = new HashMap<>();
    private boolean released;

    private NvidiaDriver(CUdevice device, CUcontext context, int driverVersion, DeviceProperties properties) {
        this.device = device;
        this.context = context;
        this.driverVersion = driverVersion;
        this.properties = properties;
    }

    /**
     * Opens the first visible GPU and makes it current on this thread; a {@link BackendException} that says why
     * when no GPU works here.
     */
    static NvidiaDriver open() {
        NvidiaProbe.Probe probe = NvidiaProbe.probe();
        if (!probe.availability().available()) throw new BackendException(probe.availability().reason());
        try {
            CUcontext context = new CUcontext();
            CudaErrors.check(JCudaDriver.cuDevicePrimaryCtxRetain(context, probe.device()), "cuDevicePrimaryCtxRetain");
            NvidiaDriver driver = new NvidiaDriver(probe.device(), context, probe.driverVersion(), probe.properties());
            driver.makeCurrent();
            return driver;
        } catch (CudaException e) {
            throw new BackendException("the NVIDIA driver (CUDA " + PtxTarget.cudaVersion(probe.driverVersion())
                    + ") could not open a GPU: " + e.getMessage());
        }
    }

    @Override public DeviceProperties properties() { return properties; }

    @Override public Optional<String> cannotLoad(PtxSource ptx) { return PtxTarget.driverProblem(ptx.isa(), driverVersion); }

    @Override public void makeCurrent() { CudaErrors.check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent"); }

    @Override public synchronized long allocate(long bytes) {
        Address p = new Address();
        CudaErrors.check(JCudaDriver.cuMemAlloc(p, Math.max(1, bytes)), "cuMemAlloc(" + Bytes.text(bytes) + ")");
        allocations.put(p.value(), bytes);
        return p.value();
    }

    @Override public synchronized void free(long address) {
        Long bytes = allocations.remove(address);
        if (bytes == null) throw new IllegalStateException("freeing device address 0x" + Long.toHexString(address) + ", which is not allocated");
        CudaErrors.check(JCudaDriver.cuMemFree(at(address)), "cuMemFree(" + Bytes.text(bytes) + ")");
    }

    @Override public void copyToDevice(long address, MemorySegment src) {
        for (long off = 0; off < src.byteSize(); off += COPY_SLICE) {
            long n = Math.min(COPY_SLICE, src.byteSize() - off);
            CudaErrors.check(JCudaDriver.cuMemcpyHtoD(at(address + off), Pointer.to(src.asSlice(off, n).asByteBuffer()), n),
                    "cuMemcpyHtoD(" + Bytes.text(n) + ")");
        }
    }

    @Override public void copyToHost(MemorySegment dst, long address) {
        for (long off = 0; off < dst.byteSize(); off += COPY_SLICE) {
            long n = Math.min(COPY_SLICE, dst.byteSize() - off);
            CudaErrors.check(JCudaDriver.cuMemcpyDtoH(Pointer.to(dst.asSlice(off, n).asByteBuffer()), at(address + off), n),
                    "cuMemcpyDtoH(" + Bytes.text(n) + ")");
        }
    }

    @Override public long freeMemory() {
        long[] free = new long[1], total = new long[1];
        makeCurrent();
        CudaErrors.check(JCudaDriver.cuMemGetInfo(free, total), "cuMemGetInfo");
        return free[0];
    }

    @Override public void synchronize() { CudaErrors.check(JCudaDriver.cuCtxSynchronize(), "cuCtxSynchronize (waiting for the device)"); }

    /**
     * JIT-compiles {@code ptx} with {@code cuModuleLoadDataEx}; the JIT's error log is part of the exception when
     * compilation fails.
     */
    @Override public Module load(PtxSource ptx) {
        int[] keys = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errorLog = arena.allocate(JIT_LOG_BYTES);
            // The option values are a void*[]: the buffer's address, and its size stored as a pointer-sized integer.
            MemorySegment values = arena.allocate(ValueLayout.JAVA_LONG, keys.length);
            values.setAtIndex(ValueLayout.JAVA_LONG, 0, errorLog.address());
            values.setAtIndex(ValueLayout.JAVA_LONG, 1, JIT_LOG_BYTES);
            byte[] text = ptx.text().getBytes(StandardCharsets.US_ASCII);
            byte[] image = Arrays.copyOf(text, text.length + 1); // NUL-terminated, as the driver reads it

            CUmodule module = new CUmodule();
            int result = JCudaDriver.cuModuleLoadDataEx(module, Pointer.to(image), keys.length, keys,
                    Pointer.to(values.asByteBuffer().order(ByteOrder.nativeOrder())));
            if (result != CUDA_SUCCESS) {
                String log = errorLog.getString(0).strip();
                throw new CudaException(result, CudaErrors.describe(result, "loading the " + ptx.family() + " kernels ("
                        + ptx.target() + ", PTX ISA " + ptx.isa() / 10 + "." + ptx.isa() % 10 + ")")
                        + (log.isEmpty() ? "" : "\nJIT log:\n" + log));
            }
            return new LoadedModule(module);
        }
    }

    @Override public Stream createStream() { return new NvidiaStream(); }

    @Override public Event createEvent() { return new NvidiaEvent(); }

    /** Captured in thread-local mode, instantiated and uploaded to the device, so the first replay is not slower. */
    @Override public Graph capture(Stream stream, Runnable launches) {
        CUstream s = handle(stream);
        CUgraph graph = new CUgraph();
        CudaErrors.check(JCudaDriver.cuStreamBeginCapture(s, CU_STREAM_CAPTURE_MODE_THREAD_LOCAL), "cuStreamBeginCapture");
        try {
            launches.run();
        } catch (RuntimeException e) {
            // End the capture anyway, so the stream stays usable; the launch's error is the one to report.
            if (JCudaDriver.cuStreamEndCapture(s, graph) == CUDA_SUCCESS) JCudaDriver.cuGraphDestroy(graph);
            throw e;
        }
        CudaErrors.check(JCudaDriver.cuStreamEndCapture(s, graph), "cuStreamEndCapture");
        CUgraphExec exec = new CUgraphExec();
        try {
            CudaErrors.check(JCudaDriver.cuGraphInstantiate(exec, graph, 0), "cuGraphInstantiate");
        } finally {
            CudaErrors.check(JCudaDriver.cuGraphDestroy(graph), "cuGraphDestroy");
        }
        CudaErrors.check(JCudaDriver.cuGraphUpload(exec, s), "cuGraphUpload");
        return new NvidiaGraph(exec);
    }

    /** Releases the primary context retained by {@link #open()} (the driver destroys it when no one else holds it). */
    @Override public synchronized void close() {
        if (released) return;
        released = true;
        CudaErrors.check(JCudaDriver.cuDevicePrimaryCtxRelease(device), "cuDevicePrimaryCtxRelease");
    }

    /** A device address as JCuda takes it: a null pointer offset by the address (JCuda passes pointer + offset). */
    private static CUdeviceptr at(long address) { return new CUdeviceptr().withByteOffset(address); }

    private static CUstream handle(Stream stream) { return ((NvidiaStream) stream).stream; }

    /** cuMemAlloc's result; JCuda keeps a pointer's value protected, so this subclass reads it. */
    private static final class Address extends CUdeviceptr {
        long value() { return getNativePointer() + getByteOffset(); }
    }

    private static final class LoadedModule implements Module {
        private final CUmodule module;

        LoadedModule(CUmodule module) { this.module = module; }

        @Override public Optional<Function> function(String name) {
            CUfunction f = new CUfunction();
            int result = JCudaDriver.cuModuleGetFunction(f, module, name);
            if (result == CUDA_ERROR_NOT_FOUND) return Optional.empty();
            CudaErrors.check(result, "cuModuleGetFunction(" + name + ")");
            return Optional.of(new NvidiaFunction(name, f));
        }

        @Override public void close() { CudaErrors.check(JCudaDriver.cuModuleUnload(module), "cuModuleUnload"); }
    }

    private record NvidiaFunction(String name, CUfunction function) implements Function {
        @Override public void setMaxDynamicSharedBytes(int bytes) {
            CudaErrors.check(JCudaDriver.cuFuncSetAttribute(function, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes),
                    "allowing " + name + " " + bytes + " bytes of shared memory");
        }

        /** {@code cuLaunchKernel} takes an array of pointers to each parameter's value. */
        @Override public void launch(Dim3 grid, Dim3 block, int sharedBytes, Stream stream, KernelArgs args) {
            Pointer[] values = args.values().stream().map(v -> switch (v) {
                case KernelArgs.Address a -> Pointer.to(new long[]{a.value()});
                case KernelArgs.I32 i -> Pointer.to(new int[]{i.value()});
                case KernelArgs.I64 l -> Pointer.to(new long[]{l.value()});
            }).toArray(Pointer[]::new);
            CudaErrors.check(JCudaDriver.cuLaunchKernel(function, grid.x(), grid.y(), grid.z(), block.x(), block.y(), block.z(),
                    sharedBytes, handle(stream), Pointer.to(values), null),
                    "launching " + name + " grid " + grid + " block " + block + " shared " + sharedBytes + " B");
        }
    }

    private static final class NvidiaStream implements Stream {
        private final CUstream stream = new CUstream();

        NvidiaStream() { CudaErrors.check(JCudaDriver.cuStreamCreate(stream, CU_STREAM_NON_BLOCKING), "cuStreamCreate"); }

        @Override public void synchronize() {
            CudaErrors.check(JCudaDriver.cuStreamSynchronize(stream), "cuStreamSynchronize (waiting for kernels)");
        }

        @Override public void close() { CudaErrors.check(JCudaDriver.cuStreamDestroy(stream), "cuStreamDestroy"); }
    }

    private static final class NvidiaEvent implements Event {
        private final CUevent event = new CUevent();

        NvidiaEvent() { CudaErrors.check(JCudaDriver.cuEventCreate(event, CU_EVENT_DEFAULT), "cuEventCreate"); }

        @Override public void record(Stream stream) { CudaErrors.check(JCudaDriver.cuEventRecord(event, handle(stream)), "cuEventRecord"); }

        @Override public float millisSince(Event start) {
            CudaErrors.check(JCudaDriver.cuEventSynchronize(event), "cuEventSynchronize (waiting for kernels)");
            float[] ms = new float[1];
            CudaErrors.check(JCudaDriver.cuEventElapsedTime(ms, ((NvidiaEvent) start).event, event), "cuEventElapsedTime");
            return ms[0];
        }

        @Override public void close() { CudaErrors.check(JCudaDriver.cuEventDestroy(event), "cuEventDestroy"); }
    }

    private record NvidiaGraph(CUgraphExec exec) implements Graph {
        @Override public void launch(Stream stream) { CudaErrors.check(JCudaDriver.cuGraphLaunch(exec, handle(stream)), "cuGraphLaunch"); }

        @Override public void close() { CudaErrors.check(JCudaDriver.cuGraphExecDestroy(exec), "cuGraphExecDestroy"); }
    }
}

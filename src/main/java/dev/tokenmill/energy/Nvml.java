package dev.tokenmill.energy;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The few NVML functions tokenmill needs, bound from the driver's {@code libnvidia-ml.so.1} through
 * java.lang.foreign. Signatures follow nvml.h: every function returns {@code nvmlReturn_t} (a C enum, an int);
 * {@code nvmlDevice_t} is an opaque pointer; {@code unsigned int} outputs are read as unsigned; energy and the
 * clocks-event mask are {@code unsigned long long}. Each call that fails throws {@link NvmlException}.
 */
final class Nvml {
    static final String LIBRARY = "libnvidia-ml.so.1";

    static final int SUCCESS = 0;
    /** nvmlClockType_t */
    static final int CLOCK_SM = 1, CLOCK_MEM = 2;
    /** nvmlTemperatureSensors_t */
    static final int TEMPERATURE_GPU = 0;
    /** NVML_DEVICE_NAME_V2_BUFFER_SIZE */
    private static final int NAME_BUFFER = 96;

    /** The library bound, or (nvml null) the reason it could not be. */
    record Loaded(Nvml nvml, String reason) {}

    private record Fn(String name, MethodHandle handle) {}

    private static final FunctionDescriptor STATUS = FunctionDescriptor.of(JAVA_INT);
    private static final FunctionDescriptor DEVICE_OUT = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);
    private static final FunctionDescriptor DEVICE_ENUM_OUT = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS);

    private final Fn init, shutdown, errorString, handleByBusId, handleByIndex, name, totalEnergy, powerUsage,
            clockInfo, temperature, clockEvents;
    private final Fn defaultApplicationsClock, maxClockInfo;   // either may be missing

    private Nvml(SymbolLookup lib) {
        init = required(lib, "nvmlInit_v2", STATUS);
        shutdown = required(lib, "nvmlShutdown", STATUS);
        errorString = required(lib, "nvmlErrorString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        handleByBusId = required(lib, "nvmlDeviceGetHandleByPciBusId_v2", DEVICE_OUT);
        handleByIndex = required(lib, "nvmlDeviceGetHandleByIndex_v2", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
        name = required(lib, "nvmlDeviceGetName", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
        totalEnergy = required(lib, "nvmlDeviceGetTotalEnergyConsumption", DEVICE_OUT);
        powerUsage = required(lib, "nvmlDeviceGetPowerUsage", DEVICE_OUT);
        clockInfo = required(lib, "nvmlDeviceGetClockInfo", DEVICE_ENUM_OUT);
        temperature = required(lib, "nvmlDeviceGetTemperature", DEVICE_ENUM_OUT);
        // The newer name of the throttle-reasons call; older drivers have only the old one (same signature, same bits).
        clockEvents = optional(lib, "nvmlDeviceGetCurrentClocksEventReasons", DEVICE_OUT)
                .or(() -> optional(lib, "nvmlDeviceGetCurrentClocksThrottleReasons", DEVICE_OUT))
                .orElseThrow(() -> new MissingSymbol("nvmlDeviceGetCurrentClocksEventReasons"));
        defaultApplicationsClock = optional(lib, "nvmlDeviceGetDefaultApplicationsClock", DEVICE_ENUM_OUT).orElse(null);
        maxClockInfo = optional(lib, "nvmlDeviceGetMaxClockInfo", DEVICE_ENUM_OUT).orElse(null);
    }

    /** Loads {@code library} (a name the dynamic linker resolves, or a path); never throws. */
    static Loaded load(String library) {
        SymbolLookup lib;
        try {
            lib = SymbolLookup.libraryLookup(library, Arena.global());
        } catch (IllegalArgumentException e) {
            return new Loaded(null, library + " could not be loaded (no NVIDIA driver on this machine?)");
        } catch (IllegalCallerException e) {
            return new Loaded(null, "native access is disabled; run the JVM with --enable-native-access=ALL-UNNAMED");
        }
        try {
            return new Loaded(new Nvml(lib), "");
        } catch (MissingSymbol e) {
            return new Loaded(null, library + " has no " + e.getMessage() + " (driver too old?)");
        }
    }

    void init() { call(init); }

    void shutdown() { call(shutdown); }

    /** A device handle by PCI bus id, "domain:bus:device.function" in hex, e.g. {@code 0000:65:00.0}. */
    MemorySegment handleByPciBusId(String busId) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            call(handleByBusId, a.allocateFrom(busId), out);
            return out.get(ADDRESS, 0);
        }
    }

    /** A device handle by NVML index (PCI order, which need not be CUDA's order). */
    MemorySegment handleByIndex(int index) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            call(handleByIndex, index, out);
            return out.get(ADDRESS, 0);
        }
    }

    String name(MemorySegment device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(NAME_BUFFER);
            call(name, device, buf, NAME_BUFFER);
            return buf.getString(0);
        }
    }

    /** Total energy since the driver loaded, mJ (an unsigned 64-bit counter; it will not reach 2^63 mJ). */
    long totalEnergyMillijoules(MemorySegment device) { return readU64(totalEnergy, device); }

    long powerMilliwatts(MemorySegment device) { return readU32(powerUsage, device); }

    int clockMhz(MemorySegment device, int clockType) { return (int) readU32(clockInfo, device, clockType); }

    int temperatureC(MemorySegment device) { return (int) readU32(temperature, device, TEMPERATURE_GPU); }

    long clockEventMask(MemorySegment device) { return readU64(clockEvents, device); }

    /**
     * The SM clock the device is meant to run at: its default applications clock where it has one, else its
     * maximum SM clock; null when it gives neither.
     */
    GpuTelemetry.ReferenceClock referenceSmClock(MemorySegment device) {
        // many GeForce boards have no applications clocks; the max clock is the next best reference
        for (Fn fn : new Fn[] {defaultApplicationsClock, maxClockInfo}) {
            if (fn == null) continue;
            try {
                return new GpuTelemetry.ReferenceClock((int) readU32(fn, device, CLOCK_SM),
                        fn == maxClockInfo ? "max SM clock" : "default applications clock");
            } catch (NvmlException e) {
                // try the next source
            }
        }
        return null;
    }

    /** Calls {@code fn} with {@code leading} arguments and an {@code unsigned int} out-parameter. */
    private long readU32(Fn fn, Object... leading) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_INT);
            call(fn, append(leading, out));
            return Integer.toUnsignedLong(out.get(JAVA_INT, 0));
        }
    }

    private long readU64(Fn fn, MemorySegment device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_LONG);
            call(fn, device, out);
            return out.get(JAVA_LONG, 0);
        }
    }

    private static Object[] append(Object[] args, Object last) {
        Object[] all = java.util.Arrays.copyOf(args, args.length + 1);
        all[args.length] = last;
        return all;
    }

    /** Calls an NVML function; a status other than success becomes an {@link NvmlException}. */
    private void call(Fn fn, Object... args) {
        int status;
        try {
            status = (int) fn.handle.invokeWithArguments(args);
        } catch (Throwable t) {
            throw new IllegalStateException(fn.name + " could not be called", t);
        }
        if (status != SUCCESS) throw new NvmlException(fn.name, status, describe(status));
    }

    /** NVML's own words for a status, e.g. "Not Supported". */
    String describe(int status) {
        try {
            MemorySegment text = (MemorySegment) errorString.handle.invokeExact(status);
            return text.equals(MemorySegment.NULL) ? "unknown error" : text.reinterpret(Long.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            return "unknown error";
        }
    }

    private static Fn required(SymbolLookup lib, String symbol, FunctionDescriptor fd) {
        return optional(lib, symbol, fd).orElseThrow(() -> new MissingSymbol(symbol));
    }

    private static Optional<Fn> optional(SymbolLookup lib, String symbol, FunctionDescriptor fd) {
        return lib.find(symbol).map(addr -> new Fn(symbol, Linker.nativeLinker().downcallHandle(addr, fd)));
    }

    private static final class MissingSymbol extends RuntimeException {
        MissingSymbol(String symbol) { super(symbol, null, false, false); }
    }
}

package dev.tokenmill.cuda;

import dev.tokenmill.backend.BackendException;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** A kernel family's PTX loaded into a {@link Driver}, and its kernels, each with its PTX declaration. */
final class KernelModule implements AutoCloseable {
    private final PtxSource source;
    private final Driver.Module module;
    private final Map<String, KernelFunction> functions = new HashMap<>();

    private KernelModule(PtxSource source, Driver.Module module) {
        this.source = source;
        this.module = module;
    }

    /** Loads {@code ptx}; a driver that cannot load its ISA says so before it is asked. */
    static KernelModule load(Driver driver, PtxSource ptx) {
        driver.cannotLoad(ptx).ifPresent(p -> { throw new BackendException(p); });
        return new KernelModule(ptx, driver.load(ptx));
    }

    /** The PTX this module was loaded from. */
    PtxSource source() { return source; }

    /** Whether the module holds a kernel of this name (an optional variant). */
    synchronized boolean has(String kernel) {
        if (functions.containsKey(kernel)) return true;
        Optional<Driver.Function> f = module.function(kernel);
        if (f.isEmpty()) return false;
        functions.put(kernel, new KernelFunction(kernel, f.get(), source.entry(kernel).orElseThrow(() -> new BackendException(
                "the driver found kernel " + kernel + " but its PTX declaration was not understood"))));
        return true;
    }

    /** The kernel named, which must exist (its absence means the PTX and this launcher disagree). */
    synchronized KernelFunction function(String kernel) {
        if (!has(kernel))
            throw new BackendException("kernel " + kernel + " is missing from " + source.origin()
                    + ": that PTX and this tokenmill build disagree");
        return functions.get(kernel);
    }

    /** Unloads the module; its kernels cannot be launched afterwards. */
    @Override public void close() { module.close(); }
}

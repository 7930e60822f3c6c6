package dev.tokenmill.backends;

import dev.tokenmill.backend.Availability;
import dev.tokenmill.backend.Backend;
import dev.tokenmill.backend.BackendException;
import dev.tokenmill.cpu.CpuBackend;
import dev.tokenmill.cuda.CudaBackend;
import dev.tokenmill.cuda.EmuBackend;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Every backend by name: tokenmill's own, plus any that a {@code META-INF/services/dev.tokenmill.backend.Backend}
 * entry adds (the tests add fake devices this way). The one place a name becomes a backend: the command line, the
 * JMH trials and {@code devices} all ask here. It sits above the backends so that they need not know each other.
 */
public final class BackendCatalog {
    /** Picks the GPU when one works, else the CPU. */
    public static final String AUTO = "auto";

    private BackendCatalog() {}

    /** tokenmill's own backends, available here or not: the CPU, a GPU, and the PTX emulator (available everywhere). */
    public static List<Backend> builtIn() { return List.of(new CpuBackend(), new CudaBackend(), new EmuBackend()); }

    /** Every backend known: tokenmill's own, then the service-loaded ones. */
    public static List<Backend> all() {
        List<Backend> all = new ArrayList<>(builtIn());
        ServiceLoader.load(Backend.class).forEach(all::add);
        return all;
    }

    /**
     * The backend called {@code name} (any case), available here or not; {@link #AUTO} picks CUDA when it works,
     * else the CPU. An unknown name is an {@link IllegalArgumentException} that lists the known ones.
     */
    public static Backend open(String name) {
        if (name.equalsIgnoreCase(AUTO)) {
            Backend cuda = new CudaBackend();
            if (cuda.availability().available()) return cuda;
            cuda.close();
            return new CpuBackend();
        }
        Backend found = null;
        List<String> names = new ArrayList<>(List.of(AUTO));
        for (Backend b : all()) {
            names.add(b.name());
            if (found == null && b.name().equalsIgnoreCase(name)) found = b;
            else b.close();
        }
        if (found == null)
            throw new IllegalArgumentException("backend must be one of " + String.join(", ", names) + ", got '" + name + "'");
        return found;
    }

    /** {@link #open}, and the backend must work here: otherwise a {@link BackendException} that says why. */
    public static Backend select(String name) {
        Backend b = open(name);
        Availability a = b.availability();
        if (!a.available()) {
            b.close();
            throw new BackendException("the " + b.name() + " backend does not work here: " + a.reason());
        }
        return b;
    }
}

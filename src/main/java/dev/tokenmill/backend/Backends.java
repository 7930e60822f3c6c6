package dev.tokenmill.backend;

import dev.tokenmill.cpu.CpuBackend;
import dev.tokenmill.cuda.CudaBackend;

import java.util.List;

/** Chooses a backend by name: {@code cpu}, {@code cuda}, or {@code auto} (the GPU when one works). */
public final class Backends {
    private Backends() {}

    public static final List<String> NAMES = List.of("auto", "cpu", "cuda");

    /** Every backend tokenmill knows, available here or not. */
    public static List<Backend> all() { return List.of(new CpuBackend(), new CudaBackend()); }

    /**
     * The backend named; {@code auto} picks CUDA when it works, else the CPU. A named backend that does not
     * work here is an error whose message says why.
     */
    public static Backend select(String name) {
        return switch (name.toLowerCase()) {
            case "cpu" -> new CpuBackend();
            case "cuda" -> {
                Backend cuda = new CudaBackend();
                Availability a = cuda.availability();
                if (!a.available()) throw new BackendException("the cuda backend does not work here: " + a.reason());
                yield cuda;
            }
            case "auto" -> {
                Backend cuda = new CudaBackend();
                yield cuda.availability().available() ? cuda : new CpuBackend();
            }
            default -> throw new IllegalArgumentException("backend must be one of " + String.join(", ", NAMES)
                    + ", got '" + name + "'");
        };
    }
}

package dev.tokenmill.ptx;

import dev.tokenmill.ptx.ir.Program;
import dev.tokenmill.ptx.parse.PtxParser;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A loaded PTX module: every {@code .entry} parsed and decoded once, ready to launch any number of times.
 * Loading refuses (with {@link dev.tokenmill.ptx.parse.PtxLoadException}: file, line, instruction) any
 * construct the interpreter does not execute exactly.
 */
public final class PtxModule {
    private final String name;
    private final String version;
    private final String target;
    private final Map<String, Kernel> kernels = new LinkedHashMap<>();

    private PtxModule(String name, PtxParser.Parsed parsed) {
        this.name = name;
        this.version = parsed.version();
        this.target = parsed.target();
        for (Program p : parsed.entries()) kernels.put(p.name(), new Kernel(p));
    }

    /** Parses and decodes {@code text}; {@code name} (a file name) appears in every error and finding. */
    public static PtxModule load(String name, String text) {
        return new PtxModule(name, PtxParser.parse(name, text, true));
    }

    /**
     * The same module with every declared register in a slot of its own: slower (a warp's register file as large as
     * the PTX declares), and the reference that the register packing of {@link #load} is checked against.
     */
    public static PtxModule loadUnpacked(String name, String text) {
        return new PtxModule(name, PtxParser.parse(name, text, false));
    }

    public String name() {
        return name;
    }

    public String version() {
        return version;
    }

    public String target() {
        return target;
    }

    /** Entry names in file order. */
    public List<String> kernelNames() {
        return List.copyOf(kernels.keySet());
    }

    /** The entry called {@code entry} (as cuModuleGetFunction finds it). */
    public Kernel kernel(String entry) {
        Kernel k = kernels.get(entry);
        if (k == null) throw new IllegalArgumentException(name + " has no entry " + entry + "; it has " + kernels.keySet());
        return k;
    }
}

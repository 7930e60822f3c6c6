package dev.tokenmill.cpu;

import dev.tokenmill.backend.Availability;
import dev.tokenmill.backend.Backend;
import dev.tokenmill.backend.BackendException;
import dev.tokenmill.backend.Bytes;
import dev.tokenmill.backend.DeviceInfo;
import dev.tokenmill.backend.PeakProbe;
import dev.tokenmill.tensor.Operands;
import dev.tokenmill.backend.PrepareOptions;
import dev.tokenmill.backend.PreparedOp;
import dev.tokenmill.op.AppendSpec;
import dev.tokenmill.op.CopySpec;
import dev.tokenmill.op.DType;
import dev.tokenmill.op.DecodeSpec;
import dev.tokenmill.op.LinearSpec;
import dev.tokenmill.op.OpSpec;
import dev.tokenmill.op.PrefillSpec;
import dev.tokenmill.reference.Verification;
import dev.tokenmill.reference.Verifier;

/** The Vector API backend: host operands, multi-threaded kernels, wall-clock timing. Works everywhere. */
public final class CpuBackend implements Backend {
    /** Memory left to the JVM, the OS and other processes when sizing operand sets. */
    private static final long MEMORY_MARGIN = 1L << 30;

    @Override public String name() { return "cpu"; }

    @Override public Availability availability() { return Availability.yes(); }

    @Override public DeviceInfo device() { return CpuInfo.read(); }

    /** The kernel this backend runs for {@code spec}. */
    public static CpuKernel kernel(OpSpec spec) { return kernel(spec, Mutant.NONE); }

    /** The kernel for {@code spec}, deliberately broken as {@code mutant} says (tests only). */
    static CpuKernel kernel(OpSpec spec, Mutant mutant) {
        return switch (spec) {
            case LinearSpec s -> CpuLinear.of(s, mutant);
            case PrefillSpec s -> CpuPrefill.of(s, mutant);
            case DecodeSpec s -> CpuDecode.of(s, mutant);
            case AppendSpec s -> CpuAppend.of(s, mutant);
            case CopySpec s -> CpuCopy.of(s, mutant);
        };
    }

    /**
     * Prepares as many operand sets as {@code options} asks for, fewer when available memory would not hold them
     * (verification needs one more set); refuses, with the figures, a shape whose single set does not fit.
     */
    @Override public PreparedOp prepare(OpSpec spec, PrepareOptions options) {
        long setBytes = Operands.allocationBytes(spec);
        long room = CpuInfo.availableMemoryBytes().orElse(Long.MAX_VALUE) - MEMORY_MARGIN;
        if (2 * setBytes > room)
            throw new BackendException(spec.op() + " " + spec.shapeText() + " needs " + Bytes.text(2 * setBytes)
                    + " of host memory (one operand set and one to verify with); " + Bytes.text(Math.max(0, room))
                    + " is available");
        CpuKernel kernel = kernel(spec);   // after the memory check: a kernel sizes its work arrays from the shape
        int n = (int) Math.min(options.sets(setBytes), room / setBytes - 1);
        Operands[] sets = new Operands[n];
        for (int i = 0; i < n; i++) sets[i] = Operands.create(spec, options.setSeed(i));
        return new Prepared(spec, kernel, sets, options.verificationSeed());
    }

    /** An f32 FMA loop on every core, for every dtype: the CPU kernels compute f16 and bf16 in f32 ({@link CpuPeak}). */
    @Override public PeakProbe preparePeak(DType dtype) { return new CpuPeak(dtype); }

    private static final class Prepared implements PreparedOp {
        private final OpSpec spec;
        private final CpuKernel kernel;
        private final Operands[] sets;
        private final long verificationSeed;
        private int next;

        Prepared(OpSpec spec, CpuKernel kernel, Operands[] sets, long verificationSeed) {
            this.spec = spec;
            this.kernel = kernel;
            this.sets = sets;
            this.verificationSeed = verificationSeed;
        }

        @Override public OpSpec spec() { return spec; }

        @Override public String variant() { return kernel.variant(); }

        @Override public int sets() { return sets.length; }

        @Override public Verification verify() {
            try (Operands fresh = Operands.create(spec, verificationSeed)) {
                kernel.run(fresh);
                return Verifier.check(fresh);
            }
        }

        @Override public void run() {
            kernel.run(sets[next]);
            next = (next + 1) % sets.length;
        }

        @Override public double secondsPerCall(int calls) {
            long t0 = System.nanoTime();
            for (int i = 0; i < calls; i++) run();
            return (System.nanoTime() - t0) * 1e-9 / calls;
        }

        @Override public void close() {
            for (Operands o : sets) o.close();
        }
    }
}

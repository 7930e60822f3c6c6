package dev.tokenmill.cuda;

import dev.tokenmill.backend.Availability;
import dev.tokenmill.backend.Backend;
import dev.tokenmill.backend.BackendException;
import dev.tokenmill.backend.DeviceInfo;
import dev.tokenmill.backend.PrepareOptions;
import dev.tokenmill.backend.PreparedOp;
import dev.tokenmill.op.OpSpec;

import java.util.Map;

/** Placeholder until the JCuda backend lands: reports itself unavailable. */
public final class CudaBackend implements Backend {
    private static final String REASON = "the CUDA backend is not built yet";

    @Override public String name() { return "cuda"; }

    @Override public Availability availability() { return Availability.no(REASON); }

    @Override public DeviceInfo device() { return new DeviceInfo("cuda", "none", "cuda-none", Map.of()); }

    @Override public PreparedOp prepare(OpSpec spec, PrepareOptions options) { throw new BackendException(REASON); }
}

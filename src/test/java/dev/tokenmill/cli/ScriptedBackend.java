package dev.tokenmill.cli;

import dev.tokenmill.backend.Availability;
import dev.tokenmill.backend.Backend;
import dev.tokenmill.backend.DeviceInfo;
import dev.tokenmill.backend.PrepareOptions;
import dev.tokenmill.backend.PreparedOp;
import dev.tokenmill.op.OpSpec;
import dev.tokenmill.reference.Verification;

import java.util.Map;

/** A backend whose verification outcome and per-call time are given, and which counts the calls it is timed for. */
final class ScriptedBackend implements Backend {
    static final String VARIANT = "fake.kernel";
    static final int SETS = 3;

    private final Verification verification;
    private final double secondsPerCall;
    long timedCalls;
    PrepareOptions prepared;

    ScriptedBackend(Verification verification, double secondsPerCall) {
        this.verification = verification;
        this.secondsPerCall = secondsPerCall;
    }

    static Verification passing() { return new Verification(true, 1.5e-3, 2e-2, 1234, ""); }

    static Verification failing() {
        return new Verification(false, 0.75, 2e-2, 1234, "element 17 = 0.5, expected 2.0");
    }

    @Override public String name() { return "fake"; }

    @Override public Availability availability() { return Availability.yes(); }

    @Override public DeviceInfo device() {
        return new DeviceInfo("fake", "Fake Device 9000", "fake-9000", Map.of("llc_bytes", 1L << 30));
    }

    @Override public PreparedOp prepare(OpSpec spec, PrepareOptions options) {
        prepared = options;
        return new PreparedOp() {
            @Override public OpSpec spec() { return spec; }

            @Override public String variant() { return VARIANT; }

            @Override public int sets() { return SETS; }

            @Override public Verification verify() { return verification; }

            @Override public void run() { timedCalls++; }

            @Override public double secondsPerCall(int calls) {
                timedCalls += calls;
                return secondsPerCall;
            }

            @Override public void close() {}
        };
    }
}

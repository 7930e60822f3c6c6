package dev.tokenmill.bench;

import dev.tokenmill.Defaults;
import dev.tokenmill.jmh.Trial;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The axes every tokenmill benchmark state shares (backend, model preset, dtype) and the {@link Trial} it runs;
 * each state adds its own shape axes and a {@code @Setup} that starts the trial. JMH reads inherited params
 * (and wants the {@code @State} annotation where they are declared).
 */
@State(Scope.Thread)
public abstract class TrialState {
    @Param({"cpu", "cuda"}) public String backend;
    @Param({Defaults.MODEL}) public String model;
    @Param({"bf16", "f16", "f32"}) public String dtype;
    Trial trial;

    @TearDown(Level.Trial) public void tearDown() { if (trial != null) trial.close(); }
}

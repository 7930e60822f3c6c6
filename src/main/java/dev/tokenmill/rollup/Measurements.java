package dev.tokenmill.rollup;

import dev.tokenmill.op.OpSpec;

import java.util.Map;
import java.util.Optional;

/** Measured figures looked up by op spec, compared by value (shape, dtype, cache layout). */
@FunctionalInterface
public interface Measurements {
    Optional<Measured> find(OpSpec spec);

    static Measurements of(Map<? extends OpSpec, Measured> bySpec) {
        Map<OpSpec, Measured> copy = Map.copyOf(bySpec);
        return spec -> Optional.ofNullable(copy.get(spec));
    }
}

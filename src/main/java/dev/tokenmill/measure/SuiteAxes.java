package dev.tokenmill.measure;

import org.openjdk.jmh.annotations.Param;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Map;

/**
 * The parameter values a JMH run gives a suite benchmark: those the run sets ({@code -p}), else the benchmark's own
 * {@code @Param} values, read from its state class. Says whether a run already measures a given trial.
 */
final class SuiteAxes {
    /**
     * Where the suites live (the benchmarks source root). Named, never imported: src/main finds the suites by name,
     * as JMH does, so the library does not need the benchmarks to compile.
     */
    static final String PACKAGE = "dev.tokenmill.bench.";

    private SuiteAxes() {}

    /** Whether a run with {@code runParams} (as given to JMH's OptionsBuilder.param) measures {@code trial}. */
    static boolean covers(Map<String, String[]> runParams, RollupPlan.SuiteTrial trial) {
        Class<?> state = stateOf(trial.benchmark());
        for (Map.Entry<String, String> p : trial.params().entrySet()) {
            String[] values = runParams.containsKey(p.getKey()) ? runParams.get(p.getKey()) : defaults(state, p.getKey());
            if (!Arrays.asList(values).contains(p.getValue())) return false;
        }
        return true;
    }

    /** The JMH include pattern that selects exactly {@code benchmark} ({@code DecodeBenchmarks.linear}). */
    static String includeExactly(String benchmark) {
        return "^" + (PACKAGE + benchmark).replace(".", "\\.") + "$";
    }

    /** The state class of {@code Suite.method}: its benchmark method's one parameter. */
    private static Class<?> stateOf(String benchmark) {
        int dot = benchmark.indexOf('.');
        try {
            Class<?> suite = Class.forName(PACKAGE + benchmark.substring(0, dot));
            for (Method m : suite.getMethods())
                if (m.getName().equals(benchmark.substring(dot + 1)) && m.getParameterCount() == 1)
                    return m.getParameterTypes()[0];
        } catch (ClassNotFoundException | StringIndexOutOfBoundsException e) {
            // reported below
        }
        throw new IllegalArgumentException("'" + benchmark + "' is not a tokenmill suite benchmark");
    }

    private static String[] defaults(Class<?> state, String param) {
        try {
            Field f = state.getField(param);
            Param values = f.getAnnotation(Param.class);
            if (values != null) return values.value();
        } catch (NoSuchFieldException e) {
            // reported below
        }
        throw new IllegalArgumentException(state.getSimpleName() + " has no parameter '" + param + "'");
    }
}

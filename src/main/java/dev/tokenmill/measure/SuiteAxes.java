package dev.tokenmill.measure;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The parameter values a JMH run gives a suite benchmark: those the run sets ({@code -p}), else the benchmark's own
 * {@code @Param} values, read from its state class. Says whether a run already measures a given trial, lists the
 * trials a run will start (as JMH expands them), and reads a suite's JMH annotations.
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

    /**
     * Every trial a run of {@code suite}'s benchmarks with {@code runParams} starts, in JMH's order: benchmarks by
     * name, then each combination of their parameters (names in alphabetical order, the last varying fastest).
     */
    static List<RollupPlan.SuiteTrial> trials(String suite, Map<String, String[]> runParams) {
        Class<?> suiteClass = suiteClass(suite);
        List<Method> benchmarks = new ArrayList<>();
        for (Method m : suiteClass.getMethods())
            if (m.isAnnotationPresent(Benchmark.class) && m.getParameterCount() == 1) benchmarks.add(m);
        benchmarks.sort(Comparator.comparing(Method::getName));
        List<RollupPlan.SuiteTrial> out = new ArrayList<>();
        for (Method m : benchmarks) {
            Class<?> state = m.getParameterTypes()[0];
            List<String> names = new ArrayList<>();
            for (Field f : state.getFields()) if (f.isAnnotationPresent(Param.class)) names.add(f.getName());
            names.sort(Comparator.naturalOrder());
            expand(suiteClass.getSimpleName() + "." + m.getName(), state, names, runParams, 0, new LinkedHashMap<>(), out);
        }
        return out;
    }

    private static void expand(String benchmark, Class<?> state, List<String> names, Map<String, String[]> runParams,
                               int i, Map<String, String> chosen, List<RollupPlan.SuiteTrial> out) {
        if (i == names.size()) {
            out.add(new RollupPlan.SuiteTrial(benchmark, chosen));
            return;
        }
        String name = names.get(i);
        for (String v : runParams.containsKey(name) ? runParams.get(name) : defaults(state, name)) {
            chosen.put(name, v);
            expand(benchmark, state, names, runParams, i + 1, chosen, out);
        }
        chosen.remove(name);
    }

    /** The JMH settings {@code suite}'s annotations give its trials ({@code @Fork}, {@code @Warmup}, {@code @Measurement}). */
    static RunPlan.Jmh annotated(String suite) {
        Class<?> c = suiteClass(suite);
        Fork fork = c.getAnnotation(Fork.class);
        Warmup warmup = c.getAnnotation(Warmup.class);
        Measurement measurement = c.getAnnotation(Measurement.class);
        if (fork == null || warmup == null || measurement == null)
            throw new IllegalStateException(c.getSimpleName() + " lacks @Fork, @Warmup or @Measurement");
        return new RunPlan.Jmh(fork.value(), warmup.iterations(), time(warmup.time(), warmup.timeUnit()),
                measurement.iterations(), time(measurement.time(), measurement.timeUnit()));
    }

    private static String time(int amount, TimeUnit unit) {
        return TimeUnit.MILLISECONDS.convert(amount, unit) + "ms";
    }

    private static Class<?> suiteClass(String suite) {
        String name = PACKAGE + (suite.equals("prefill") ? "Prefill" : "Decode") + "Benchmarks";
        try {
            return Class.forName(name);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("the suite class " + name + " is not on the class path", e);
        }
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

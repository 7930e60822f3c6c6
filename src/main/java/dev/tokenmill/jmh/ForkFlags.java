package dev.tokenmill.jmh;

/**
 * The flags every forked benchmark VM needs: the suites' {@code @Fork(jvmArgsAppend)} and {@code ./tokenmill run}'s
 * forks take them from here (the launcher and surefire use the same set; see pom.xml).
 */
public final class ForkFlags {
    private ForkFlags() {}

    public static final String VECTOR = "--add-modules=jdk.incubator.vector";
    public static final String NATIVE = "--enable-native-access=ALL-UNNAMED";
    public static final String UNSAFE = "--sun-misc-unsafe-memory-access=allow";

    /** All of them, in the order the annotations list them. */
    public static final java.util.List<String> ALL = java.util.List.of(VECTOR, NATIVE, UNSAFE);
}

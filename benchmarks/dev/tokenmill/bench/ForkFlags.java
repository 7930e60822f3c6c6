package dev.tokenmill.bench;

/** The flags every forked benchmark VM needs (the launcher and surefire use the same set; see pom.xml). */
final class ForkFlags {
    private ForkFlags() {}

    static final String VECTOR = "--add-modules=jdk.incubator.vector";
    static final String NATIVE = "--enable-native-access=ALL-UNNAMED";
    static final String UNSAFE = "--sun-misc-unsafe-memory-access=allow";
}

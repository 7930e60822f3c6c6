package dev.tokenmill.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code tokenmill} launcher's search for a Java 25, run as a user would run it, on a copy laid out as a
 * bundle ({@code lib/tokenmill.jar}, no pom) in an environment whose only Java installations are fakes the test
 * makes: {@code TOKENMILL_JAVA_HOMES} replaces the usual install locations, and PATH holds only the tools the
 * launcher needs (the java on PATH is a candidate too).
 */
class LauncherTest {
    private static final String NO_RUNTIME =
            "tokenmill: no Java 25 runtime found: install a JDK 25 (e.g. Temurin 25) and set JAVA_HOME to it.";
    /** What the launcher runs besides bash's builtins (and java). */
    private static final List<String> TOOLS = List.of("dirname", "readlink", "sed", "head", "tr");

    @TempDir Path tmp;
    private Path bundle, tools;

    @BeforeEach
    void layOutABundle() throws IOException {
        bundle = Files.createDirectories(tmp.resolve("bundle"));
        Files.copy(Path.of("tokenmill"), bundle.resolve("tokenmill"));
        Files.createDirectories(bundle.resolve("lib"));
        Files.writeString(bundle.resolve("lib/tokenmill.jar"), "");
        tools = Files.createDirectories(tmp.resolve("tools"));
        for (String tool : TOOLS) executable(tools.resolve(tool), "#!/bin/sh\nexec " + which(tool) + " \"$@\"\n");
    }

    @Test
    void noJavaAnywhereIsOneSentenceAndExit2() throws Exception {
        Run r = launch(Map.of("JAVA_HOME", "/nonexistent", "TOKENMILL_JAVA_HOMES", "/nonexistent"), "--version");
        assertEquals(2, r.code);
        assertEquals("", r.out);
        assertEquals(NO_RUNTIME, r.err.strip());
    }

    @Test
    void anOlderJavaIsNotTakenFromJavaHomeNorFromPath() throws Exception {
        Path java21 = fakeJava("jdk-21", 21, true);
        Files.createSymbolicLink(tools.resolve("java"), java21.resolve("bin/java"));
        Run r = launch(Map.of("JAVA_HOME", java21.toString(), "TOKENMILL_JAVA_HOMES", java21.toString()), "--version");
        assertEquals(2, r.code);
        assertEquals(NO_RUNTIME, r.err.strip());
    }

    @Test
    void theFirstJava25FoundRunsTheJarWithTheFlagsItNeeds() throws Exception {
        Path java21 = fakeJava("jdk-21", 21, true), java25 = fakeJava("jre-25", 25, false);
        Run r = launch(Map.of("JAVA_HOME", java21.toString(),
                "TOKENMILL_JAVA_HOMES", "/nonexistent:" + java25), "op", "copy", "--bytes", "1M");
        assertEquals(0, r.code, r.err);
        assertEquals("ran " + java25.resolve("bin/java") + " --add-modules=jdk.incubator.vector "
                + "--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -jar "
                + bundle.resolve("lib/tokenmill.jar") + " op copy --bytes 1M", r.out.strip());
    }

    @Test
    void runningTheTestsNeedsAJdkNotJustARuntime() throws Exception {
        Path java25 = fakeJava("jre-25", 25, false);
        Run r = launch(Map.of("JAVA_HOME", java25.toString(), "TOKENMILL_JAVA_HOMES", "/nonexistent"), "test");
        assertEquals(2, r.code);
        assertEquals("tokenmill: no JDK 25 found: install one (e.g. Temurin 25) and set JAVA_HOME to it.", r.err.strip());
    }

    /** A Java home whose {@code bin/java} reports {@code release} and echoes how it was run; a javac if asked. */
    private Path fakeJava(String name, int release, boolean withJavac) throws IOException {
        Path home = Files.createDirectories(tmp.resolve(name).resolve("bin"));
        executable(home.resolve("java"), """
                #!/bin/sh
                case "$1" in -XshowSettings*) echo "    java.specification.version = %d" >&2; exit 0;; esac
                echo "ran $0 $*"
                """.formatted(release));
        if (withJavac) executable(home.resolve("javac"), "#!/bin/sh\nexit 0\n");
        return home.getParent();
    }

    private static void executable(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private record Run(int code, String out, String err) {}

    private Run launch(Map<String, String> env, String... args) throws Exception {
        List<String> command = Stream.concat(Stream.of(which("bash").toString(), bundle.resolve("tokenmill").toString()),
                Stream.of(args)).toList();
        ProcessBuilder pb = new ProcessBuilder(command).directory(tmp.toFile());
        pb.environment().clear();
        pb.environment().put("PATH", tools.toString());
        pb.environment().put("HOME", tmp.toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        // Outputs are a line or two, well within the pipe buffers, so reading after the exit cannot deadlock.
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the launcher did not finish");
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static Path which(String tool) {
        return Stream.of(System.getenv("PATH").split(":")).map(d -> Path.of(d, tool)).filter(Files::isExecutable)
                .findFirst().orElseThrow(() -> new IllegalStateException(tool + " is not on PATH"));
    }
}

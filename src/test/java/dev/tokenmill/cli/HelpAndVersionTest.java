package dev.tokenmill.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every command answers {@code -h/--help} with its usage and {@code -V/--version} with the version and git revision. */
class HelpAndVersionTest {
    @ParameterizedTest
    @ValueSource(strings = {"--help", "-h", "run --help", "run -h", "devices -h", "devices --help", "compare --help",
            "verify -h", "op --help", "op linear --help", "op copy -h"})
    void everyCommandTakesHelp(String commandLine) {
        Cli.Result r = Cli.run(commandLine.split(" "));
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());
        String command = commandLine.replaceAll(" ?-(h|-help)$", "");
        assertTrue(r.out().startsWith("Usage: tokenmill" + (command.isEmpty() ? "" : " " + command)), r.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"--version", "-V", "op linear --version", "run --version", "compare -V"})
    void everyCommandSaysTheVersionAndTheGitRevision(String commandLine) {
        Cli.Result r = Cli.run(commandLine.split(" "));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().matches("tokenmill \\S+, (git [0-9a-f]{40}( with uncommitted changes)?|git revision unknown .*)\n"),
                r.out());
    }
}

package dev.tokenmill.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** Placeholder until the command lands. */
@Command(name = "verify", description = "Checks every kernel on every working backend against the float64 reference.")
final class VerifyCommand implements Callable<Integer> {
    @Override public Integer call() {
        throw new UnsupportedOperationException("'verify' is not implemented yet");
    }
}

package dev.tokenmill.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** Placeholder until the command lands. */
@Command(name = "op", description = "Verifies, then times, one op.")
final class OpCommand implements Callable<Integer> {
    @Override public Integer call() {
        throw new UnsupportedOperationException("'op' is not implemented yet");
    }
}

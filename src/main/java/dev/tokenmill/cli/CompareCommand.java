package dev.tokenmill.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** Placeholder until the command lands. */
@Command(name = "compare", description = "Puts result files from several devices side by side.")
final class CompareCommand implements Callable<Integer> {
    @Override public Integer call() {
        throw new UnsupportedOperationException("'compare' is not implemented yet");
    }
}

package dev.tokenmill.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** Placeholder until the command lands. */
@Command(name = "run", description = "Runs the JMH prefill and decode suites and writes a result file.")
final class RunCommand implements Callable<Integer> {
    @Override public Integer call() {
        throw new UnsupportedOperationException("'run' is not implemented yet");
    }
}

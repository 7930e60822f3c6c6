package dev.tokenmill.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** Placeholder until the command lands. */
@Command(name = "devices", description = "Lists the backends, whether they work here, and their properties.")
final class DevicesCommand implements Callable<Integer> {
    @Override public Integer call() {
        throw new UnsupportedOperationException("'devices' is not implemented yet");
    }
}

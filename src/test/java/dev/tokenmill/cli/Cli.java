package dev.tokenmill.cli;

import dev.tokenmill.cpu.CpuBackend;
import dev.tokenmill.op.OpSpec;
import org.junit.jupiter.api.Assumptions;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

/** Runs the command line in-process and captures what it prints. */
final class Cli {
    record Result(int code, String out, String err) {
        List<String> outLines() { return out.lines().toList(); }

        List<String> errLines() { return err.lines().toList(); }
    }

    private Cli() {}

    static Result run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    /** The spec an {@code op} command line describes, without running it. */
    static OpSpec parseOp(String... args) {
        CommandLine.ParseResult r = new CommandLine(new Main()).parseArgs(args);
        while (r.hasSubcommand()) r = r.subcommand();
        return ((OpCommand.OpSubcommand) r.commandSpec().userObject()).spec();
    }

    /** Skips the calling test while the CPU kernel for {@code spec} has not landed. */
    static void assumeCpuKernel(OpSpec spec) {
        try {
            CpuBackend.kernel(spec);
        } catch (UnsupportedOperationException e) {
            Assumptions.abort(e.getMessage());
        }
    }
}

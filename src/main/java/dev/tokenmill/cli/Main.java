package dev.tokenmill.cli;

import dev.tokenmill.backend.BackendException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

import java.io.PrintWriter;

/**
 * The {@code tokenmill} command line. Errors are one sentence on stderr and a non-zero exit, never a trace. Every
 * command inherits {@code -h/--help} and {@code -V/--version} from here.
 */
@Command(name = "tokenmill", mixinStandardHelpOptions = true, versionProvider = Version.class, scope = ScopeType.INHERIT,
        description = "Measures LLM inference kernels (prefill and decode) on NVIDIA GPUs and CPUs.",
        subcommands = {RunCommand.class, OpCommand.class, DevicesCommand.class, CompareCommand.class,
                VerifyCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    /** Exit code for bad input (usage, invalid shapes); 1 is a failure while running. */
    public static final int USAGE = 2;
    /**
     * Exit code of a run that was stopped: 128 + SIGINT, as shells report an interrupted command. A signalled VM exits
     * with 128 + its signal whatever the run returns (130 for SIGINT, 143 for SIGTERM) once the run has saved its result.
     */
    public static final int INTERRUPTED = 130;

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given streams and returns the exit code (for tests). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine cmd = ex.getCommandLine();
            err.println("tokenmill: " + ex.getMessage() + " (see '" + cmd.getCommandSpec().qualifiedName() + " --help')");
            return USAGE;
        });
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            err.println("tokenmill: " + describe(ex));
            if (System.getenv("TOKENMILL_DEBUG") != null) ex.printStackTrace(err);
            return ex instanceof IllegalArgumentException ? USAGE : 1;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    private static String describe(Exception ex) {
        if (ex instanceof IllegalArgumentException || ex instanceof BackendException
                || ex instanceof UnsupportedOperationException || ex instanceof java.io.UncheckedIOException)
            return ex.getMessage();
        return ex.getClass().getSimpleName() + ": " + ex.getMessage()
                + " (an internal error; TOKENMILL_DEBUG=1 shows the stack trace)";
    }
}

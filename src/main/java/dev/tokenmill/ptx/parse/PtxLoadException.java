package dev.tokenmill.ptx.parse;

/** A module the interpreter refuses: one sentence naming the file, the line and the instruction. */
public final class PtxLoadException extends RuntimeException {
    private final String module;
    private final int line;

    public PtxLoadException(String module, int line, String message) {
        super(module + ":" + line + ": " + message);
        this.module = module;
        this.line = line;
    }

    public String module() {
        return module;
    }

    public int line() {
        return line;
    }
}

package dev.tokenmill.backend;

/**
 * One kernel entry point of the code a backend has loaded, and what happened to it so far: how often it was launched,
 * in how many verified calls that passed or failed, and how many findings its launches had (distinct kind and
 * line per launch, as compute-sanitizer lists them). An entry never launched has zeros.
 *
 * @param module the module (kernel family) that holds it, e.g. {@code decode}
 */
public record EntryTally(String module, String entry, long launches, long passedCases, long failedCases, long findings) {}

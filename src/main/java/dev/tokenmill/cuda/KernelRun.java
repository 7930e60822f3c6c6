package dev.tokenmill.cuda;

import dev.tokenmill.ptx.exec.LaunchReport;

/**
 * One launch as an inspecting {@link Driver} ran it: the kernel family ({@code linear}, {@code decode}, ...) whose
 * module holds the entry, and the emulator's report of the launch (configuration, counters, findings).
 */
record KernelRun(String family, LaunchReport report) {
    String kernel() { return report.kernel(); }
}

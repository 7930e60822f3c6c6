package dev.tokenmill.cuda;

import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import org.junit.platform.engine.TestExecutionResult;

import java.io.PrintWriter;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;
import static org.junit.platform.launcher.TagFilter.includeTags;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

/**
 * Runs tokenmill's JUnit tests from the GPU bundle, where there is a Java runtime but no Maven or JDK
 * ({@code ./tokenmill-tests [TAG]}, e.g. {@code gpu}). Prints each failure and skip with its reason, then a
 * summary; exits 1 when a test failed or none ran.
 */
public final class GpuTestRunner {
    private GpuTestRunner() {}

    public static void main(String[] args) {
        var builder = request().selectors(selectPackage("dev.tokenmill"));
        if (args.length > 0) builder.filters(includeTags(args));
        LauncherDiscoveryRequest request = builder.build();
        PrintWriter out = new PrintWriter(System.out, true);
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        TestExecutionListener progress = new TestExecutionListener() {
            @Override public void executionSkipped(TestIdentifier test, String reason) {
                out.println("SKIPPED " + test.getDisplayName() + ": " + reason);
            }

            @Override public void executionFinished(TestIdentifier test, TestExecutionResult result) {
                if (!test.isTest()) return;
                String status = switch (result.getStatus()) {
                    case SUCCESSFUL -> "ok     ";
                    case ABORTED -> "SKIPPED";
                    case FAILED -> "FAILED ";
                };
                out.println(status + " " + test.getLegacyReportingName() + result.getThrowable()
                        .map(t -> ": " + t.getMessage()).orElse(""));
            }
        };
        Launcher launcher = LauncherFactory.create();
        launcher.execute(request, summary, progress);
        TestExecutionSummary s = summary.getSummary();
        s.printFailuresTo(out, 20);
        out.printf("%d tests: %d passed, %d failed, %d skipped%n", s.getTestsFoundCount(), s.getTestsSucceededCount(),
                s.getTotalFailureCount(), s.getTestsAbortedCount() + s.getTestsSkippedCount());
        System.exit(s.getTotalFailureCount() > 0 || s.getTestsSucceededCount() == 0 ? 1 : 0);
    }
}

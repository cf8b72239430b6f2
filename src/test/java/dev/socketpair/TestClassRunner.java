package dev.socketpair;

import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import java.io.PrintWriter;
import java.util.Arrays;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

/**
 * Run in a child JVM by tests that run other test classes under system properties of their own: runs
 * the test classes named as arguments and prints how many tests were found, succeeded, failed and were
 * skipped, then each failure.
 */
public final class TestClassRunner {

    private TestClassRunner() {
    }

    public static void main(String[] args) {
        LauncherDiscoveryRequest request = request()
                .selectors(Arrays.stream(args).map(name -> selectClass(name)).toList())
                .build();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(request, listener);
        TestExecutionSummary summary = listener.getSummary();
        System.out.println("found " + summary.getTestsFoundCount());
        System.out.println("succeeded " + summary.getTestsSucceededCount());
        System.out.println("failed " + (summary.getTestsFailedCount() + summary.getContainersFailedCount()));
        System.out.println("skipped " + (summary.getTestsSkippedCount() + summary.getTestsAbortedCount()));
        summary.printFailuresTo(new PrintWriter(System.out, true), 30);
    }
}

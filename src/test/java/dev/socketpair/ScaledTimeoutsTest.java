package dev.socketpair;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

/**
 * {@link ScaledTimeouts} gives each test its written timeout times the factor, in the thread mode JUnit
 * would, and refuses to run while JUnit's own timeouts are on. The scenarios run through the JUnit
 * launcher with the configuration a test JVM would have.
 */
class ScaledTimeoutsTest {

    /** Tests that wait longer than their written timeout, under ScaledTimeouts. */
    static class Scenarios {

        /** Released after each run: a timeout leaves the separate thread waiting, as JUnit's does. */
        static volatile CountDownLatch separateThreadRelease;

        @Test
        @Timeout(value = 100, unit = TimeUnit.MILLISECONDS)
        void blocksUntilInterrupted() throws InterruptedException {
            new CountDownLatch(1).await();
        }

        @Test
        @Timeout(value = 100, unit = TimeUnit.MILLISECONDS)
        void finishesAfterThreeTimesItsTimeout() throws InterruptedException {
            CountDownLatch released = new CountDownLatch(1);
            try (ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor()) {
                timer.schedule(released::countDown, 300, TimeUnit.MILLISECONDS);
                released.await();
            }
        }

        @Test
        @Timeout(value = 100, unit = TimeUnit.MILLISECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
        void blocksOnAnotherThread() throws InterruptedException {
            separateThreadRelease.await();
        }
    }

    /** A class whose @Timeout applies to its test. */
    @Timeout(value = 100, unit = TimeUnit.MILLISECONDS)
    static class ClassTimeout {

        @Test
        void blocksUntilInterrupted() throws InterruptedException {
            new CountDownLatch(1).await();
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void eachTestGetsItsWrittenTimeoutTimesTheFactor() {
        long start = System.nanoTime();
        Map<String, Throwable> failures = run(Scenarios.class, "20", "disabled");

        assertThat(failures).containsOnlyKeys("blocksUntilInterrupted()", "blocksOnAnotherThread()");
        assertThat(failures.get("blocksUntilInterrupted()")).isInstanceOf(TimeoutException.class)
                .hasMessage("blocksUntilInterrupted() timed out after 2 s (100 ms times 20)");
        assertThat(System.nanoTime() - start).as("ran at least the 2 s of each blocked scenario")
                .isGreaterThanOrEqualTo(TimeUnit.SECONDS.toNanos(4));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aSeparateThreadTimeoutReportsWhereTheOtherThreadWaits() {
        Throwable failure = run(Scenarios.class, "20", "disabled").get("blocksOnAnotherThread()");

        assertThat(failure).isInstanceOf(TimeoutException.class)
                .hasMessage("blocksOnAnotherThread() timed out after 2 s (100 ms times 20)");
        assertThat(failure.getCause().getStackTrace()).anyMatch(frame -> frame.getMethodName().equals("blocksOnAnotherThread"));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aClassTimeoutIsScaledToo() {
        assertThat(run(ClassTimeout.class, "3", "disabled").get("blocksUntilInterrupted()"))
                .isInstanceOf(TimeoutException.class)
                .hasMessage("blocksUntilInterrupted() timed out after 300 ms (100 ms times 3)");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aFactorWhileJUnitsOwnTimeoutsAreOnFailsEveryTest() {
        assertThat(run(Scenarios.class, "20", "enabled").values()).hasSize(3)
                .allSatisfy(failure -> assertThat(failure).isInstanceOf(ExtensionConfigurationException.class)
                        .hasMessageContaining("junit.jupiter.execution.timeout.mode must be disabled"));
    }

    /** Runs {@code scenarios} with the timeout factor and JUnit's timeout mode given; returns the failures by test. */
    private static Map<String, Throwable> run(Class<?> scenarios, String factor, String junitMode) {
        Map<String, Throwable> failures = new ConcurrentHashMap<>();
        Scenarios.separateThreadRelease = new CountDownLatch(1);
        LauncherFactory.create().execute(request()
                .selectors(selectClass(scenarios))
                .configurationParameter(ScaledTimeouts.FACTOR_PROPERTY, factor)
                .configurationParameter("junit.jupiter.execution.timeout.mode", junitMode)
                .build(), new TestExecutionListener() {
                    @Override
                    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
                        result.getThrowable().ifPresent(failure -> failures.put(test.getDisplayName(), failure));
                    }
                });
        Scenarios.separateThreadRelease.countDown();
        return failures;
    }
}

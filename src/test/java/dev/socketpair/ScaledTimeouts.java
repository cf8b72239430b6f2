package dev.socketpair;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.platform.commons.support.AnnotationSupport;

import java.lang.reflect.Method;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * JUnit's timeouts multiplied by {@value #FACTOR_PROPERTY}, for a JVM that runs the tests slower than
 * the timeouts were sized for (an emulated one: {@code .ci/aarch64/bin/java} sets it). The timeouts
 * catch hangs, with a margin over a native run that emulation, which makes every test several times
 * slower, eats into. JUnit cannot scale a written {@link Timeout}:
 * {@code junit.jupiter.execution.timeout.default} applies only where none is written, and
 * {@code junit.jupiter.execution.timeout.mode} can only switch them all off. So where a factor is given,
 * JUnit's own timeouts must be off ({@code junit.jupiter.execution.timeout.mode=disabled}, or this
 * extension fails the test) and this extension applies each one instead, multiplied, by JUnit's rules: the
 * method's {@code @Timeout}; else, for test, template and factory methods, that of its class or an
 * enclosing class; else the {@code junit.jupiter.execution.timeout.*.default} for the kind of method. The
 * thread mode is the annotation's, else {@code junit.jupiter.execution.timeout.thread.mode.default}, else
 * the same thread, which is interrupted when the time is up. Without a factor it does nothing and JUnit's
 * timeouts apply as written. Registered for every test class through the service file.
 */
public final class ScaledTimeouts implements InvocationInterceptor {

    /** The configuration parameter (or system property) that multiplies every timeout. */
    public static final String FACTOR_PROPERTY = "dev.socketpair.test.timeoutFactor";

    private static final String PREFIX = "junit.jupiter.execution.timeout.";
    private static final Pattern DURATION = Pattern.compile("([1-9]\\d*) *(ns|μs|ms|s|m|h|d)?", Pattern.CASE_INSENSITIVE);
    private static final ScheduledExecutorService INTERRUPTER = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("scaled-timeout-interrupter").factory());

    /** {@code timeout} multiplied by the factor of this JVM's system property, if any. */
    public static Duration scaled(Duration timeout) {
        String factor = System.getProperty(FACTOR_PROPERTY);
        return factor == null ? timeout : multiply(timeout, parseFactor(factor));
    }

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> call,
                                    ExtensionContext context) throws Throwable {
        intercept(invocation, call, context, true, "test.method");
    }

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> call,
                                            ExtensionContext context) throws Throwable {
        intercept(invocation, call, context, true, "testtemplate.method");
    }

    @Override
    public <T> T interceptTestFactoryMethod(Invocation<T> invocation, ReflectiveInvocationContext<Method> call,
                                            ExtensionContext context) throws Throwable {
        return intercept(invocation, call, context, true, "testfactory.method");
    }

    @Override
    public void interceptBeforeAllMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> call,
                                         ExtensionContext context) throws Throwable {
        intercept(invocation, call, context, false, "beforeall.method");
    }

    @Override
    public void interceptBeforeEachMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> call,
                                          ExtensionContext context) throws Throwable {
        intercept(invocation, call, context, false, "beforeeach.method");
    }

    @Override
    public void interceptAfterEachMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> call,
                                         ExtensionContext context) throws Throwable {
        intercept(invocation, call, context, false, "aftereach.method");
    }

    @Override
    public void interceptAfterAllMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> call,
                                        ExtensionContext context) throws Throwable {
        intercept(invocation, call, context, false, "afterall.method");
    }

    /**
     * Runs {@code invocation} within its timeout times the factor. {@code kind} names the method's default
     * timeout; a testable method (test, template, factory) also takes the {@code @Timeout} of its class,
     * or of the class of an enclosing context ({@code @Nested}).
     */
    private static <T> T intercept(Invocation<T> invocation, ReflectiveInvocationContext<Method> call,
                                   ExtensionContext context, boolean testable, String kind) throws Throwable {
        Optional<String> factorValue = context.getConfigurationParameter(FACTOR_PROPERTY);
        if (factorValue.isEmpty()) {
            return invocation.proceed();
        }
        if (!context.getConfigurationParameter(PREFIX + "mode").orElse("").equals("disabled")) {
            throw new ExtensionConfigurationException(FACTOR_PROPERTY + " is set, so " + PREFIX
                    + "mode must be disabled: JUnit's own timeouts would end the test unscaled");
        }
        Method method = call.getExecutable();
        Optional<Timeout> annotation = AnnotationSupport.findAnnotation(method, Timeout.class);
        Optional<Timeout> ofClass = testable ? classTimeout(context) : Optional.empty();
        Optional<Duration> timeout = annotation.or(() -> ofClass)
                .map(t -> Duration.of(t.value(), t.unit().toChronoUnit()))
                .or(() -> defaultTimeout(context, kind))
                .or(() -> defaultTimeout(context, testable ? "testable.method" : "lifecycle.method"))
                .or(() -> context.getConfigurationParameter(PREFIX + "default").map(ScaledTimeouts::parse));
        if (timeout.isEmpty()) {
            return invocation.proceed();
        }
        double factor = parseFactor(factorValue.get());
        Duration limit = multiply(timeout.get(), factor);
        String description = method.getName() + "() timed out after " + describe(limit) + " ("
                + describe(timeout.get()) + " times " + factorValue.get() + ")";
        Timeout.ThreadMode mode = annotation.map(Timeout::threadMode)
                .filter(m -> m != Timeout.ThreadMode.INFERRED)
                .or(() -> ofClass.map(Timeout::threadMode).filter(m -> m != Timeout.ThreadMode.INFERRED))
                .or(() -> context.getConfigurationParameter(PREFIX + "thread.mode.default").map(Timeout.ThreadMode::valueOf))
                .orElse(Timeout.ThreadMode.SAME_THREAD);
        return mode == Timeout.ThreadMode.SEPARATE_THREAD
                ? onSeparateThread(invocation, limit, description)
                : onThisThread(invocation, limit, description);
    }

    /** As JUnit's same-thread mode: the thread is interrupted when the time is up, and fails when it returns. */
    private static <T> T onThisThread(Invocation<T> invocation, Duration limit, String description) throws Throwable {
        Interrupt interrupt = new Interrupt(Thread.currentThread());
        var scheduled = INTERRUPTER.schedule(interrupt, limit.toNanos(), TimeUnit.NANOSECONDS);
        T result = null;
        Throwable failure = null;
        try {
            result = invocation.proceed();
        } catch (Throwable t) {
            failure = t;
        }
        scheduled.cancel(false);
        if (interrupt.end()) {
            Thread.interrupted();
            TimeoutException timedOut = new TimeoutException(description);
            if (failure != null) {
                timedOut.addSuppressed(failure);
            }
            throw timedOut;
        }
        if (failure != null) {
            throw failure;
        }
        return result;
    }

    /** The interrupt of a same-thread invocation, which happens before the invocation ends or not at all. */
    private static final class Interrupt implements Runnable {
        private final Thread thread;
        private boolean ended;     // guarded by this
        private boolean happened;  // guarded by this

        Interrupt(Thread thread) {
            this.thread = thread;
        }

        @Override
        public synchronized void run() {
            if (!ended) {
                happened = true;
                thread.interrupt();
            }
        }

        /** Marks the invocation ended; returns whether the thread was interrupted first. */
        synchronized boolean end() {
            ended = true;
            return happened;
        }
    }

    /** As JUnit's separate-thread mode: fails when the time is up, with the stack of the thread still running it. */
    private static <T> T onSeparateThread(Invocation<T> invocation, Duration limit, String description) throws Throwable {
        FutureTask<T> task = new FutureTask<>(() -> {
            try {
                return invocation.proceed();
            } catch (Exception | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new Thrown(t);
            }
        });
        Thread thread = Thread.ofPlatform().daemon().name("scaled-timeout-thread").start(task);
        try {
            return task.get(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Thrown thrown ? thrown.getCause() : e.getCause();
        } catch (TimeoutException e) {
            TimeoutException timedOut = new TimeoutException(description);
            Throwable where = new Throwable("where the thread running it was when the time was up");
            where.setStackTrace(thread.getStackTrace());
            timedOut.initCause(where);
            throw timedOut;
        }
    }

    /** Carries a throwable that is neither an Exception nor an Error out of a Callable. */
    private static final class Thrown extends Exception {
        Thrown(Throwable cause) {
            super(cause);
        }
    }

    /** The {@code @Timeout} of the innermost test class around {@code context} that has one. */
    private static Optional<Timeout> classTimeout(ExtensionContext context) {
        for (Optional<ExtensionContext> c = Optional.of(context); c.isPresent(); c = c.get().getParent()) {
            Optional<Timeout> timeout = c.get().getElement()
                    .filter(element -> element instanceof Class<?>)
                    .flatMap(element -> AnnotationSupport.findAnnotation(element, Timeout.class));
            if (timeout.isPresent()) {
                return timeout;
            }
        }
        return Optional.empty();
    }

    private static Optional<Duration> defaultTimeout(ExtensionContext context, String kind) {
        return context.getConfigurationParameter(PREFIX + kind + ".default").map(ScaledTimeouts::parse);
    }

    /** JUnit's form of a default timeout: a positive integer and an optional unit (ns, μs, ms, s, m, h, d; s if none). */
    private static Duration parse(String value) {
        Matcher m = DURATION.matcher(value.strip());
        if (!m.matches()) {
            throw new ExtensionConfigurationException("not a timeout: \"" + value + "\"");
        }
        ChronoUnit unit = switch (m.group(2) == null ? "s" : m.group(2).toLowerCase(Locale.ROOT)) {
            case "ns" -> ChronoUnit.NANOS;
            case "μs" -> ChronoUnit.MICROS;
            case "ms" -> ChronoUnit.MILLIS;
            case "m" -> ChronoUnit.MINUTES;
            case "h" -> ChronoUnit.HOURS;
            case "d" -> ChronoUnit.DAYS;
            default -> ChronoUnit.SECONDS;
        };
        return Duration.of(Long.parseLong(m.group(1)), unit);
    }

    private static double parseFactor(String value) {
        double factor = Double.parseDouble(value);
        if (!(factor >= 1)) {
            throw new ExtensionConfigurationException(FACTOR_PROPERTY + " must be at least 1: " + value);
        }
        return factor;
    }

    private static Duration multiply(Duration timeout, double factor) {
        return Duration.ofNanos(Math.round(timeout.toNanos() * factor));
    }

    private static String describe(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }
}

package dev.dal.testkit;

import dev.dal.test.TestRunNotices;
import java.io.PrintStream;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Says loudly what did not run. Registered with the JUnit Platform through {@code META-INF/services}, so
 * every test JVM that has the kit on its class path prints, when its tests are done, one line per
 * conformance class that skipped contract tests, with each reason and its count, e.g.
 *
 * <pre>
 * dal-kit: MongoConformanceTest skipped 15 contract test(s): Store does not declare capability [TRANSACTIONS]
 * </pre>
 *
 * A skipped contract test is one disabled by an {@link OptOut} or aborted by an assumption (a missing
 * {@link Requires capability}, or a clause that does not apply to the store). The {@link TestRunNotices}
 * that fixtures added (a test server that fell back to a weaker one) follow, one line each. The lines
 * go to standard output, which build logs keep.
 */
public final class SkippedContractsReport implements TestExecutionListener {

    private static final String ASSUMPTION = "Assumption failed: ";

    /** Test class simple name, then reason, then how many tests it skipped. */
    private final Map<String, Map<String, AtomicInteger>> skipped = new ConcurrentHashMap<>();

    /** Creates the listener; the JUnit Platform does so through the service loader. */
    public SkippedContractsReport() {}

    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
        record(test, reason);
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
            record(
                    test,
                    result.getThrowable()
                            .map(Throwable::getMessage)
                            .map(m -> m.startsWith(ASSUMPTION) ? m.substring(ASSUMPTION.length()) : m)
                            .orElse("aborted"));
        }
    }

    private void record(TestIdentifier test, String reason) {
        contractClass(test)
                .ifPresent(name -> skipped.computeIfAbsent(name, k -> new ConcurrentHashMap<>())
                        .computeIfAbsent(
                                reason == null || reason.isBlank() ? "no reason given" : reason,
                                k -> new AtomicInteger())
                        .incrementAndGet());
    }

    /** The simple name of the test's class, when the test is a method of a conformance class. */
    private static Optional<String> contractClass(TestIdentifier test) {
        return test.getSource()
                .filter(MethodSource.class::isInstance)
                .map(MethodSource.class::cast)
                .flatMap(source -> {
                    try {
                        Class<?> type = source.getJavaClass();
                        return ConformanceTest.class.isAssignableFrom(type)
                                ? Optional.of(type.getSimpleName())
                                : Optional.empty();
                    } catch (RuntimeException e) {
                        return Optional.empty();
                    }
                });
    }

    @Override
    public void testPlanExecutionFinished(TestPlan plan) {
        PrintStream out = System.out;
        new TreeMap<>(skipped)
                .forEach((testClass, reasons) -> new TreeMap<>(reasons)
                        .forEach((reason, count) -> out.println(
                                "dal-kit: " + testClass + " skipped " + count.get() + " contract test(s): " + reason)));
        TestRunNotices.drain().forEach(notice -> out.println("dal-kit: NOTICE: " + notice));
        out.flush();
        skipped.clear();
    }
}

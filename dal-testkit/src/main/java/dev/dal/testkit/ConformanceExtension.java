package dev.dal.testkit;

import dev.dal.api.Capability;
import dev.dal.api.DataAccess;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.opentest4j.TestAbortedException;

/**
 * Runs the kit against one backend: checks opt-outs name real tests, opens a fresh store for each
 * test, skips tests whose capability the store lacks (with the reason), and fails the class when
 * no conformance test ran at all.
 */
public final class ConformanceExtension
        implements BeforeAllCallback,
                BeforeEachCallback,
                AfterEachCallback,
                AfterAllCallback,
                ExecutionCondition,
                ParameterResolver {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(ConformanceExtension.class);
    private static final String PROVIDER = "provider";
    private static final String STORE = "store";
    private static final String CLOCK = "clock";
    private static final String EXECUTED = "executed";

    @Override
    public void beforeAll(ExtensionContext context) {
        Class<?> testClass = context.getRequiredTestClass();
        for (OptOut optOut : testClass.getAnnotationsByType(OptOut.class)) {
            boolean exists = Arrays.stream(testClass.getMethods())
                    .anyMatch(m -> m.getName().equals(optOut.test()) && m.isAnnotationPresent(Test.class));
            if (!exists) {
                throw new ExtensionConfigurationException(
                        "@OptOut names a test that does not exist in the kit: " + optOut.test());
            }
            if (optOut.reason().isBlank()) {
                throw new ExtensionConfigurationException("@OptOut of " + optOut.test() + " must give a reason");
            }
        }
        context.getStore(NS).put(EXECUTED, new AtomicInteger());
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (context.getTestMethod().isEmpty()) {
            return ConditionEvaluationResult.enabled("class");
        }
        String name = context.getRequiredTestMethod().getName();
        for (OptOut optOut : context.getRequiredTestClass().getAnnotationsByType(OptOut.class)) {
            if (optOut.test().equals(name)) {
                return ConditionEvaluationResult.disabled("Opted out by the backend: " + optOut.reason());
            }
        }
        return ConditionEvaluationResult.enabled("not opted out");
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        ConformanceTest test = (ConformanceTest) context.getRequiredTestInstance();
        ExtensionContext classContext = context.getParent().orElseThrow();
        StoreProvider provider = classContext
                .getStore(NS)
                .getOrComputeIfAbsent(PROVIDER, k -> new ClosingProvider(test.storeProvider()), ClosingProvider.class)
                .provider();
        MutableClock clock = MutableClock.startingNow();
        DataAccess store = provider.openEmpty(clock);
        context.getStore(NS).put(CLOCK, clock);
        context.getStore(NS).put(STORE, store);
        Method method = context.getRequiredTestMethod();
        Requires requires = method.getAnnotation(Requires.class);
        if (requires != null) {
            Set<Capability> has = store.capabilities();
            Set<Capability> missing = EnumSet.noneOf(Capability.class);
            Arrays.stream(requires.value()).filter(c -> !has.contains(c)).forEach(missing::add);
            Assumptions.assumeTrue(missing.isEmpty(), () -> "Store does not declare capability " + missing);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        DataAccess store = context.getStore(NS).remove(STORE, DataAccess.class);
        if (store != null) {
            store.close();
        }
        boolean aborted = context.getExecutionException()
                .filter(TestAbortedException.class::isInstance)
                .isPresent();
        if (!aborted) {
            executed(context.getParent().orElseThrow()).incrementAndGet();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (executed(context).get() == 0) {
            throw new AssertionError("No conformance test ran for "
                    + context.getRequiredTestClass().getName()
                    + ": a backend run that executes nothing proves nothing");
        }
    }

    private static AtomicInteger executed(ExtensionContext classContext) {
        return classContext.getStore(NS).get(EXECUTED, AtomicInteger.class);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == DataAccess.class || type == MutableClock.class || type == StoreProvider.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        if (type == DataAccess.class) {
            return context.getStore(NS).get(STORE, DataAccess.class);
        }
        if (type == MutableClock.class) {
            return context.getStore(NS).get(CLOCK, MutableClock.class);
        }
        return context.getParent()
                .orElseThrow()
                .getStore(NS)
                .get(PROVIDER, ClosingProvider.class)
                .provider();
    }

    /** Closes the provider when the test class is done. */
    private record ClosingProvider(StoreProvider provider) implements AutoCloseable {
        @Override
        public void close() {
            provider.close();
        }
    }
}

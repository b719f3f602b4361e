package dev.dal.api.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.DataAccess;
import dev.dal.api.bulk.BulkAccess;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForwardingDataAccessTest {

    /** @return a recording stand-in whose every call returns {@code null} (or a primitive zero) */
    @SuppressWarnings("unchecked")
    private static <T> T recorder(Class<T> type, List<String> calls) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            calls.add(signature(method));
            return zero(method.getReturnType());
        });
    }

    private static Object zero(Class<?> type) {
        if (type == boolean.class) {
            return false;
        }
        if (type == int.class) {
            return 0;
        }
        if (type == long.class) {
            return 0L;
        }
        return null;
    }

    private static String signature(Method m) {
        return m.getName() + List.of(m.getParameterTypes());
    }

    private static Object[] nulls(Method m) {
        Object[] args = new Object[m.getParameterCount()];
        for (int i = 0; i < args.length; i++) {
            args[i] = zero(m.getParameterTypes()[i]);
        }
        return args;
    }

    @Test
    void everyAbstractMethodAndTheAsyncHealthCheckReachTheDelegateAsCalled() throws Exception {
        List<String> calls = new ArrayList<>();
        DataAccess delegate = recorder(DataAccess.class, calls);
        DataAccess forwarding = new ForwardingDataAccess() {
            @Override
            protected DataAccess delegate() {
                return delegate;
            }
        };

        for (Method m : DataAccess.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers())
                    || m.isDefault() && !m.getName().equals("healthCheckAsync")) {
                continue;
            }
            calls.clear();
            m.invoke(forwarding, nulls(m));
            assertThat(calls).as("calls made by %s", signature(m)).containsExactly(signature(m));
        }
    }

    @Test
    void everyBulkMethodReachesTheDelegateAsCalled() throws Exception {
        List<String> calls = new ArrayList<>();
        BulkAccess delegate = recorder(BulkAccess.class, calls);
        BulkAccess forwarding = new ForwardingBulkAccess() {
            @Override
            protected BulkAccess delegate() {
                return delegate;
            }
        };

        for (Method m : BulkAccess.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            calls.clear();
            m.invoke(forwarding, nulls(m));
            assertThat(calls).as("calls made by %s", signature(m)).containsExactly(signature(m));
        }
    }
}

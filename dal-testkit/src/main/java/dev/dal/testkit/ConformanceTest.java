package dev.dal.testkit;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Base of every contract interface in the kit. Test methods receive the store under test and the
 * kit's clock as parameters:
 *
 * <pre>{@code
 * @Test
 * default void createdUserIsReadBack(DataAccess store, MutableClock clock) { ... }
 * }</pre>
 *
 * Each test gets a fresh, empty store whose clock is the {@link MutableClock} it is given.
 */
@ExtendWith(ConformanceExtension.class)
public interface ConformanceTest {

    /** @return the backend's provider; called once per test class */
    StoreProvider storeProvider();
}

package dev.dal.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Asks {@link DalStoreExtension} for an empty store of one storage type, on a test method's (or a
 * {@code @BeforeEach} method's) {@link dev.dal.api.DataAccess} or {@link dev.dal.api.DalConfig} parameter:
 *
 * <pre>{@code
 * @ExtendWith(DalStoreExtension.class)
 * class ChatHistoryTest {
 *     @Test
 *     void keepsTheOrder(@DalTestStore("postgresql") DataAccess store) { ... }
 * }
 * }</pre>
 *
 * Without a value (or without the annotation) the test gets the extension's storage type: the one it was built
 * for, or else the one {@link DalStoreExtension#DEFAULT_STORAGE_TYPE_PROPERTY} or
 * {@link DalStoreExtension#DEFAULT_STORAGE_TYPE_VARIABLE} names, or else the file store.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface DalTestStore {
    /**
     * @return the storage type, as {@code DATA_STORAGE_TYPE} names it or by one of its aliases; empty for the
     *     extension's own
     */
    String value() default "";
}

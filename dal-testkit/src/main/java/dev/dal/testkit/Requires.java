package dev.dal.testkit;

import dev.dal.api.Capability;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a conformance test that needs a capability. On a store that does not declare it, the test
 * is skipped with the reason shown, never passed.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Requires {
    /** @return the capabilities the test needs */
    Capability[] value();
}

package dev.dal.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Put on a backend's conformance test class to skip one kit test, with a reason. The kit fails
 * the run when the named test does not exist, so an opt-out cannot outlive its test.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Repeatable(OptOut.List.class)
public @interface OptOut {
    /** @return the kit test's method name, e.g. {@code "concurrentAddMessageGetsDistinctGapFreeNumbers"} */
    String test();

    /** @return why this backend cannot pass it; shown in the test report */
    String reason();

    /** Container for repeated {@link OptOut}s. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @interface List {
        /** @return the opt-outs */
        OptOut[] value();
    }
}

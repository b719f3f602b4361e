package dev.dal.testkit;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Facts about a test run that whoever reads the build output must see, such as a test server that
 * fell back to a weaker one, so that tests which did not run are not mistaken for tests that passed.
 * A test fixture adds a notice when it makes such a choice; {@link SkippedContractsReport} prints each
 * notice once, with the skipped contract tests, when the test JVM's tests are done:
 *
 * <pre>
 * dal-kit: NOTICE: MongoDB tests ran on the in-process mongo-java-server …
 * </pre>
 *
 * A notice must not hold secrets: connection strings with passwords, tokens, user data.
 */
public final class TestRunNotices {
    private static final Set<String> NOTICES = ConcurrentHashMap.newKeySet();

    private TestRunNotices() {}

    /**
     * Adds a notice for the end of this test JVM's output; the same text twice is printed once.
     *
     * @param notice one line, without secrets
     * @throws NullPointerException when {@code notice} is null
     */
    public static void add(String notice) {
        NOTICES.add(Objects.requireNonNull(notice, "notice").replace('\n', ' '));
    }

    /** @return the notices added so far, sorted, and forgets them */
    static List<String> drain() {
        List<String> all = NOTICES.stream().sorted().toList();
        NOTICES.removeAll(all);
        return all;
    }
}

package dev.dal.test;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Facts about a test run that whoever reads the build output must see, such as a test server that fell back to a
 * weaker one, so that tests which did not run are not mistaken for tests that passed. A test fixture adds a notice
 * when it makes such a choice; a report at the end of the run (the conformance kit's prints them) drains them.
 *
 * <p>A notice must not hold secrets: connection strings with passwords, tokens, user data.
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

    /**
     * Takes the notices added so far, for a report to print.
     *
     * @return the notices, sorted; they are forgotten, so each is reported once
     */
    public static List<String> drain() {
        List<String> all = NOTICES.stream().sorted().toList();
        NOTICES.removeAll(all);
        return all;
    }
}

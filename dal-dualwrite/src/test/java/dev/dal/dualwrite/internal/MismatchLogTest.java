package dev.dal.dualwrite.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.dal.dualwrite.FieldDifference;
import dev.dal.dualwrite.Mismatch;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.helpers.MessageFormatter;

class MismatchLogTest {
    private final List<String> warnings = new ArrayList<>();
    /** A logger that keeps what is logged at WARN, formatted. */
    private final Logger logger = (Logger) Proxy.newProxyInstance(
            Logger.class.getClassLoader(), new Class<?>[] {Logger.class}, (proxy, method, args) -> {
                if (method.getName().equals("warn") && args != null && args[0] instanceof String format) {
                    Object[] rest = args.length == 2 && args[1] instanceof Object[] array
                            ? array
                            : Arrays.copyOfRange(args, 1, args.length);
                    warnings.add(MessageFormatter.arrayFormat(format, rest).getMessage());
                }
                return method.getReturnType() == boolean.class ? Boolean.TRUE : null;
            });

    private static Mismatch mismatch(String operation, String id) {
        return new Mismatch(
                operation,
                List.of(id),
                List.of(new FieldDifference("/name", TextNode.valueOf("Ada"), TextNode.valueOf("Eve"))),
                Instant.now());
    }

    @Test
    void pastTheLimitMismatchesAreCountedAndSummedUpOnceTheWindowHasPassed() throws Exception {
        MismatchLog log = new MismatchLog(logger, "file", "postgresql", 3, Duration.ofMillis(300));
        for (int i = 0; i < 10; i++) {
            log.mismatch(mismatch(i % 2 == 0 ? "getUser" : "getChatSession", "id-" + i));
        }
        assertThat(warnings).hasSize(3).allMatch(w -> w.contains("differs between the primary (file)"));

        Thread.sleep(350);
        log.mismatch(mismatch("getUser", "id-late"));

        assertThat(warnings).hasSize(5);
        assertThat(warnings.get(3))
                .contains("7 more mismatch(es) not logged one by one")
                .contains("getChatSession=4")
                .contains("getUser=3");
        assertThat(warnings.get(4)).contains("id-late");
        assertThat(String.join("\n", warnings))
                .as("no values, only paths")
                .doesNotContain("Ada", "Eve")
                .contains("/name");
    }

    @Test
    void flushSumsUpWhatIsLeftAndNothingWhenNothingIs() {
        MismatchLog log = new MismatchLog(logger, "file", "file", 1, Duration.ofMinutes(1));
        log.flush();
        assertThat(warnings).isEmpty();

        log.mismatch(mismatch("getUser", "a"));
        log.mismatch(mismatch("getUser", "b"));
        log.flush();

        assertThat(warnings).hasSize(2);
        assertThat(warnings.get(1)).contains("1 more mismatch(es)");
    }

    @Test
    void ignoreRulesMatchFieldsBelowThemWildcardsAndRecordsOfListAnswers() {
        CompareRules rules = CompareRules.ignoring(List.of("/updatedAt", "/metadata/trace", "/*/lastMessageAt"));
        List<FieldDifference> found = List.of(
                diff("/updatedAt"),
                diff("/metadata/trace/span"),
                diff("/metadata/other"),
                diff("/3/updatedAt"),
                diff("/0/session/lastMessageAt"),
                diff("/name"),
                diff("/"));

        assertThat(rules.keep(found))
                .extracting(FieldDifference::path)
                .containsExactly("/metadata/other", "/name", "/");
        assertThat(CompareRules.none().keep(found)).hasSize(found.size());
    }

    private static FieldDifference diff(String path) {
        return new FieldDifference(path, TextNode.valueOf("a"), TextNode.valueOf("b"));
    }
}

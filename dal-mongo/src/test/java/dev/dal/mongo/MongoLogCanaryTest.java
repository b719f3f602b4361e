package dev.dal.mongo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.test.mongo.MongoTestServer;
import dev.dal.testkit.ChildJvm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No user value reaches a log line: a child JVM with the driver's loggers (command logging
 * included, {@code org.mongodb.driver.protocol.command}) and Dal's at DEBUG writes a canary as
 * content, metadata, profile and memory value, through constraint violations and network faults,
 * and the canary appears nowhere in what it printed; with {@code DAL_LOG_VALUES=true} it does
 * appear, which shows the check can see it.
 */
class MongoLogCanaryTest {
    private static final MongoTestServer SERVER = MongoTestServer.get();

    private static String runChild(Path dir, String canary, boolean logValues) throws Exception {
        Path stderr = dir.resolve("child-" + logValues + ".log");
        var address = SERVER.address();
        String out;
        try (ChildJvm child = ChildJvm.start(
                MongoLogCanaryChild.class,
                stderr,
                canary,
                String.valueOf(logValues),
                address.getHostString(),
                String.valueOf(address.getPort()))) {
            String done = child.awaitLine("DONE", Duration.ofSeconds(120));
            assertThat(done).as("the child's stderr: %s", child.stderrTail()).isEqualTo("DONE");
            out = String.join("\n", child.lines());
        }
        return out + "\n" + Files.readString(stderr, StandardCharsets.UTF_8);
    }

    @Test
    void aCanaryInEveryKindOfUserValueAppearsInNoLogLineUnlessValuesAreLogged(@TempDir Path dir) throws Exception {
        String canary = "CANARY" + UUID.randomUUID().toString().replace("-", "");
        String silent = runChild(dir, canary, false);
        // The driver's command logging was on (so the absence below means something) ...
        assertThat(silent).contains("org.mongodb.driver.protocol.command").contains("Command \"insert\"");
        // ... faults and violations happened ...
        assertThat(silent)
                .contains("OutcomeUnknownException")
                .contains("DuplicateKeyException")
                .contains("UnavailableException");
        // ... and no value was printed, by the driver, by Dal or in an exception.
        assertThat(silent).doesNotContain(canary);

        String verbose = runChild(dir, canary, true);
        assertThat(verbose).contains(canary);
        SERVER.drop("dal_log_canary");
    }
}

package dev.dal.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.HistoryQuery;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.bulk.IdRange;
import dev.dal.api.bulk.RangeDigest;
import dev.dal.api.spi.MessageDigests;
import dev.dal.file.internal.CrashSimulation;
import dev.dal.testkit.ChildJvm;
import dev.dal.testkit.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A power loss at any durable step of an {@code addMessages} and of a bulk upsert that replaces a message (see
 * {@link CrashSimulation}) leaves a session digest that, once recovery rolled the unit back, equals its messages:
 * the digest file is journaled with the log in one unit of work.
 */
class FileDigestCrashTest {
    /** More durable steps than opening the store and the two writes take. */
    private static final int MAX_STEPS = 120;

    @TempDir
    Path temp;

    @Test
    void aCrashAtEveryStepLeavesTheDigestEqualToTheMessages() throws Exception {
        Path dir = temp.resolve("store");
        try (DataAccess store = TempFileStores.open(dir, MutableClock.startingNow())) {
            store.createChatSession(NewChatSession.of(DigestCrashWriterMain.CHAT));
            store.addMessage(DigestCrashWriterMain.CHAT, NewMessage.user("first"));
        }
        int crashed = 0;
        int rolledBack = 0;
        for (int step = 1; step <= MAX_STEPS; step++) {
            int exit;
            try (ChildJvm child = ChildJvm.start(
                    DigestCrashWriterMain.class,
                    temp.resolve("writer-stderr.log"),
                    dir.toString(),
                    Integer.toString(step),
                    Integer.toString(step))) {
                exit = child.awaitExit(Duration.ofSeconds(60));
            }
            boolean unitLeft = Files.exists(dir.resolve(CrashWriterMain.JOURNAL));
            try (DataAccess store = TempFileStores.open(dir, MutableClock.startingNow())) {
                List<IdRange> ranges = List.of(IdRange.ALL, IdRange.ALL.split(2).get(0));
                List<RangeDigest> inStore = store.bulk().digestMessages(ranges);
                assertThat(inStore)
                        .as("step %d (exit %d): digests after recovery", step, exit)
                        .isEqualTo(MessageDigests.stream(store.bulk(), ranges));
                ChatSession session =
                        store.getChatSession(DigestCrashWriterMain.CHAT).orElseThrow();
                assertThat(inStore.get(0).count())
                        .as("step %d: pairs land whole", step)
                        .isEqualTo(session.messageCount())
                        .isOdd();
                assertThat(store.getChatHistory(DigestCrashWriterMain.CHAT, HistoryQuery.after(0, 1000)))
                        .hasSize((int) session.messageCount());
            }
            if (exit == 0) {
                break;
            }
            assertThat(exit).as("step %d: the writer crashed", step).isEqualTo(CrashSimulation.CRASH_EXIT);
            crashed++;
            rolledBack += unitLeft ? 1 : 0;
        }
        assertThat(crashed)
                .as("crashes before the writer got through")
                .isGreaterThan(10)
                .isLessThan(MAX_STEPS);
        assertThat(rolledBack).as("crashes that left a unit to roll back").isGreaterThan(3);
        System.out.printf("FileDigestCrashTest: %d crashes, %d left a unit to roll back%n", crashed, rolledBack);
    }
}

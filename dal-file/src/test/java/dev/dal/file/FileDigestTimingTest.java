package dev.dal.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.Message;
import dev.dal.api.Role;
import dev.dal.api.SessionStatus;
import dev.dal.api.bulk.IdRange;
import dev.dal.api.bulk.RangeDigest;
import dev.dal.api.bulk.ScanBatch;
import dev.dal.api.spi.Ids;
import dev.dal.api.spi.MessageDigests;
import dev.dal.testkit.MutableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Times {@code digestMessages} from the digest files against {@link MessageDigests#stream} over the same store, in
 * turns, three rounds, for comparing by hand. Runs only with {@code -Ddal.file.digestTiming=true}; the store holds
 * {@code dal.file.digestTiming.sessions} (2000) sessions of {@code dal.file.digestTiming.messages} (50) messages;
 * {@code -Ddal.file.digestTiming.dropFiles=true} deletes the digest files first (a directory an older Dal wrote).
 */
class FileDigestTimingTest {
    @TempDir
    Path temp;

    @Test
    void timeDigests() throws IOException {
        Assumptions.assumeTrue(Boolean.getBoolean("dal.file.digestTiming"), "timing runs only on request");
        int sessions = Integer.getInteger("dal.file.digestTiming.sessions", 2000);
        int perSession = Integer.getInteger("dal.file.digestTiming.messages", 50);
        Path dir = temp.resolve("store");
        try (DataAccess store = TempFileStores.open(dir, MutableClock.startingNow())) {
            long fill = System.nanoTime();
            fill(store, sessions, perSession);
            System.out.printf(
                    "FileDigestTimingTest: %d sessions x %d messages stored in %.1f s%n",
                    sessions, perSession, (System.nanoTime() - fill) / 1e9);
            if (Boolean.getBoolean("dal.file.digestTiming.dropFiles")) {
                try (Stream<Path> walk = Files.walk(dir.resolve("sessions"))) {
                    for (Path p : walk.filter(p -> p.getFileName().toString().equals("messages.digest"))
                            .toList()) {
                        Files.delete(p);
                    }
                }
                System.out.println("FileDigestTimingTest: digest files deleted (old layout)");
            }
            List<IdRange> ranges = IdRange.ALL.split(16);
            for (int round = 1; round <= 3; round++) {
                long start = System.nanoTime();
                List<RangeDigest> inStore = store.bulk().digestMessages(ranges);
                long inStoreNanos = System.nanoTime() - start;
                start = System.nanoTime();
                List<RangeDigest> streamed = MessageDigests.stream(store.bulk(), ranges);
                long streamNanos = System.nanoTime() - start;
                assertThat(inStore).isEqualTo(streamed);
                System.out.printf(
                        "FileDigestTimingTest: round %d, 16 ranges, %d messages: in store %.3f s, streamed %.3f s%n",
                        round,
                        inStore.stream().mapToLong(RangeDigest::count).sum(),
                        inStoreNanos / 1e9,
                        streamNanos / 1e9);
            }
        }
    }

    private static void fill(DataAccess store, int sessions, int perSession) {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        List<ChatSession> batch = new ArrayList<>();
        for (int s = 0; s < sessions; s++) {
            batch.add(new ChatSession(
                    Ids.newId(), "c" + s, null, null, null, null, SessionStatus.ACTIVE, t, t, t, perSession, 1));
            if (batch.size() == 500 || s == sessions - 1) {
                store.bulk().upsertSessions(batch);
                batch.clear();
            }
        }
        List<Message> messages = new ArrayList<>();
        String cursor = null;
        do {
            ScanBatch<ChatSession> page = store.bulk().scanSessions(cursor, 1000);
            for (ChatSession s : page.items()) {
                for (int n = 1; n <= perSession; n++) {
                    messages.add(new Message(
                            Ids.newId(),
                            s.id(),
                            n,
                            Role.USER,
                            "message " + n + " of " + s.chatId(),
                            null,
                            n,
                            false,
                            t));
                }
                if (messages.size() >= 1000) {
                    store.bulk().upsertMessages(messages);
                    messages.clear();
                }
            }
            cursor = page.nextCursor();
        } while (cursor != null);
        if (!messages.isEmpty()) {
            store.bulk().upsertMessages(messages);
        }
    }
}

package dev.dal.file;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.Role;
import dev.dal.api.SessionStatus;
import dev.dal.api.User;
import dev.dal.api.UserStatus;
import dev.dal.api.spi.Ids;
import dev.dal.testkit.MutableClock;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Times the bulk upserts on a fresh store and again over the same records (all skipped), for comparing
 * versions of the code by hand. Runs only with {@code -Ddal.file.bulkTiming=true}.
 */
class FileBulkUpsertTimingTest {
    @TempDir
    Path temp;

    @Test
    void timeBulkUpserts() {
        Assumptions.assumeTrue(Boolean.getBoolean("dal.file.bulkTiming"), "timing runs only on request");
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        List<User> users = new ArrayList<>();
        List<ChatSession> sessions = new ArrayList<>();
        List<Message> messages = new ArrayList<>();
        List<MemoryEntry> memory = new ArrayList<>();
        for (int u = 0; u < 1000; u++) {
            User user = new User(Ids.newId(), "ext-" + u, null, "n", null, null, UserStatus.ACTIVE, t, t, null, 3);
            users.add(user);
            if (u < 20) {
                for (int m = 0; m < 50; m++) {
                    memory.add(new MemoryEntry(user.id(), "context", "k" + m, IntNode.valueOf(m), t, t, null, 2));
                }
            }
        }
        for (int s = 0; s < 1000; s++) {
            ChatSession session = new ChatSession(
                    Ids.newId(),
                    "chat-" + s,
                    users.get(s).id(),
                    null,
                    null,
                    null,
                    SessionStatus.ACTIVE,
                    t,
                    t,
                    s < 10 ? t : null,
                    s < 10 ? 200 : 0,
                    5);
            sessions.add(session);
            if (s < 10) {
                for (int n = 1; n <= 200; n++) {
                    messages.add(
                            new Message(Ids.newId(), session.id(), n, Role.USER, "message " + n, null, null, false, t));
                }
            }
        }
        for (int round = 0; round < 3; round++) {
            try (DataAccess store = TempFileStores.open(temp.resolve("store-" + round), MutableClock.startingNow())) {
                String fresh = time("users", users, 250, store.bulk()::upsertUsers)
                        + time("sessions", sessions, 250, store.bulk()::upsertSessions)
                        + time("messages", messages, 1000, store.bulk()::upsertMessages)
                        + time("memory", memory, 250, store.bulk()::upsertMemory);
                String again = time("users", users, 250, store.bulk()::upsertUsers)
                        + time("sessions", sessions, 250, store.bulk()::upsertSessions)
                        + time("messages", messages, 1000, store.bulk()::upsertMessages)
                        + time("memory", memory, 250, store.bulk()::upsertMemory);
                System.out.println("FileBulkUpsertTiming round " + round + " fresh:" + fresh + " | again:" + again);
            }
        }
    }

    private static <T> String time(String what, List<T> records, int batch, Consumer<List<T>> upsert) {
        long start = System.nanoTime();
        for (int i = 0; i < records.size(); i += batch) {
            upsert.accept(records.subList(i, Math.min(records.size(), i + batch)));
        }
        double ms = (System.nanoTime() - start) / 1e6;
        return String.format(" %s %d in %.0f ms (%.2f ms/record)", what, records.size(), ms, ms / records.size());
    }
}

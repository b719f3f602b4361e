package dev.dal.postgres;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.Role;
import dev.dal.api.SessionStatus;
import dev.dal.api.User;
import dev.dal.api.UserStatus;
import dev.dal.api.spi.Ids;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Bulk upsert throughput, by kind, into an empty database and again over the same records (every record then
 * meets a stored one and its version condition): {@code -Ddal.bench=true}. Not part of the normal run.
 */
@EnabledIfSystemProperty(named = "dal.bench", matches = "true")
class PostgresBulkUpsertBenchmark {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final int BATCH = 1_000;

    @Test
    void upsertThroughput() throws Exception {
        round("warm-up", 2_000);
        round("measured", 20_000);
    }

    private static void round(String name, int users) throws Exception {
        PostgresTarget target = PostgresTarget.get();
        String database = target.createDatabase("dal_bulk_bench");
        try (DataAccess store = PostgresTarget.open(target.server().settingsForDatabase(database))) {
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            List<User> u = new ArrayList<>();
            List<ChatSession> s = new ArrayList<>();
            List<Message> m = new ArrayList<>();
            List<MemoryEntry> e = new ArrayList<>();
            for (int i = 0; i < users; i++) {
                User user = new User(
                        Ids.newId(),
                        "bench-" + i,
                        "u" + i + "@example.org",
                        "User " + i,
                        F.objectNode().put("i", i),
                        F.objectNode(),
                        UserStatus.ACTIVE,
                        now,
                        now,
                        null);
                u.add(user);
                ChatSession session = new ChatSession(
                        Ids.newId(),
                        "bench-chat-" + i,
                        user.id(),
                        "t",
                        null,
                        F.objectNode(),
                        SessionStatus.ACTIVE,
                        now,
                        now,
                        now,
                        5);
                s.add(session);
                for (int n = 1; n <= 5; n++) {
                    m.add(new Message(
                            Ids.newId(),
                            session.id(),
                            n,
                            Role.USER,
                            "message " + n + " of " + i,
                            F.objectNode(),
                            null,
                            false,
                            now));
                }
                e.add(new MemoryEntry(user.id(), "context", "a", F.numberNode(i), now, now, null));
                e.add(new MemoryEntry(user.id(), "context", "b", F.textNode("v" + i), now, now, null));
            }
            for (String pass : List.of("empty", "again")) {
                long users0 = time(u, store.bulk()::upsertUsers);
                long sessions0 = time(s, store.bulk()::upsertSessions);
                long messages0 = time(m, store.bulk()::upsertMessages);
                long memory0 = time(e, store.bulk()::upsertMemory);
                System.out.printf(
                        "bulk %s/%s: users %,d/s  sessions %,d/s  messages %,d/s  memory %,d/s%n",
                        name,
                        pass,
                        rate(u.size(), users0),
                        rate(s.size(), sessions0),
                        rate(m.size(), messages0),
                        rate(e.size(), memory0));
            }
        } finally {
            target.dropDatabase(database);
        }
    }

    private static <T> long time(List<T> records, Consumer<List<T>> upsert) {
        long start = System.nanoTime();
        for (int i = 0; i < records.size(); i += BATCH) {
            upsert.accept(records.subList(i, Math.min(records.size(), i + BATCH)));
        }
        return System.nanoTime() - start;
    }

    private static long rate(int count, long nanos) {
        return Math.round(count / (nanos / 1e9));
    }
}

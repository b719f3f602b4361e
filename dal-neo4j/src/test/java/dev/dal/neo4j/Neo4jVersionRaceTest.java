package dev.dal.neo4j;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.dal.api.DataAccess;
import dev.dal.api.MemoryEntry;
import dev.dal.api.NewUser;
import dev.dal.api.User;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Conditional bulk upserts racing on one key: the version comparison and the write are one atomic step
 * (the {@code SET} that reads the stored version takes the node's write lock first), so whatever order
 * concurrent writers arrive in, the newest version is what stays.
 */
class Neo4jVersionRaceTest {
    private static final int WRITERS = 4;
    private static final int VERSIONS = 120;

    @Test
    void concurrentUpsertsOfOneKeyKeepTheNewestVersion() throws Exception {
        try (DataAccess store = new Neo4jTestStores().openEmpty(Clock.systemUTC())) {
            User user = store.createUser(NewUser.builder().name("v1").build());
            MemoryEntry memory = store.setUserMemory(user.id(), "context", "k", JsonNodeFactory.instance.numberNode(1));
            List<Long> versions = new ArrayList<>();
            for (long v = 2; v < 2 + VERSIONS; v++) {
                versions.add(v);
            }
            Collections.shuffle(versions, new java.util.Random(42));
            ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int w = 0; w < WRITERS; w++) {
                    List<Long> mine = versions.subList(w * VERSIONS / WRITERS, (w + 1) * VERSIONS / WRITERS);
                    done.add(pool.submit(() -> {
                        for (long v : mine) {
                            store.bulk()
                                    .upsertUsers(List.of(new User(
                                            user.id(),
                                            null,
                                            null,
                                            "v" + v,
                                            user.profile(),
                                            user.preferences(),
                                            user.status(),
                                            user.createdAt(),
                                            user.updatedAt(),
                                            null,
                                            v)));
                            store.bulk()
                                    .upsertMemory(List.of(new MemoryEntry(
                                            user.id(),
                                            "context",
                                            "k",
                                            JsonNodeFactory.instance.numberNode(v),
                                            memory.createdAt(),
                                            memory.updatedAt(),
                                            null,
                                            v)));
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get(120, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            long newest = 1 + VERSIONS;
            User stored = store.getUser(user.id()).orElseThrow();
            assertThat(stored.version()).isEqualTo(newest);
            assertThat(stored.name()).isEqualTo("v" + newest);
            MemoryEntry entry = store.getUserMemory(user.id(), "context", "k").orElseThrow();
            assertThat(entry.version()).isEqualTo(newest);
            assertThat(entry.value().asLong()).isEqualTo(newest);
        }
    }
}

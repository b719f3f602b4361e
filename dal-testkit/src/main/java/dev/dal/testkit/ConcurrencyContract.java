package dev.dal.testkit;

import static dev.dal.testkit.Fixtures.F;
import static dev.dal.testkit.Fixtures.concurrently;
import static dev.dal.testkit.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.Capability;
import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.OutcomeUnknownException;
import dev.dal.api.Retryable;
import dev.dal.api.User;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** Many threads on one store: sequence numbers stay distinct and gap-free, unique keys have one winner. */
public interface ConcurrencyContract extends ConformanceTest {

    /** Threads used by the concurrency tests. */
    int THREADS = 8;

    /** Messages each thread adds. */
    int PER_THREAD = 25;

    /**
     * Messages added one at a time from many threads get distinct, gap-free sequence numbers, and the session counts
     * them all.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void concurrentAddMessageGetsDistinctGapFreeNumbers(DataAccess store) {
        ChatSession session = Fixtures.session(store);
        List<Callable<List<Long>>> tasks = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            tasks.add(() -> {
                List<Long> seqs = new ArrayList<>();
                for (int i = 0; i < PER_THREAD; i++) {
                    seqs.add(store.addMessage(session.chatId(), NewMessage.user("t" + thread + "-" + i))
                            .sequenceNumber());
                }
                return seqs;
            });
        }

        List<Long> all =
                concurrently(tasks).stream().flatMap(List::stream).sorted().toList();

        int total = THREADS * PER_THREAD;
        assertThat(all).isEqualTo(LongStream.rangeClosed(1, total).boxed().toList());
        assertThat(store.getMessageCount(session.chatId())).isEqualTo(total);
        ChatSession read = store.getChatSession(session.chatId()).orElseThrow();
        assertThat(read.messageCount()).isEqualTo(total);
        assertThat(store.getChatHistory(session.chatId(), 1000, 0))
                .extracting(Message::sequenceNumber)
                .isEqualTo(all);
    }

    /**
     * Each batch of messages added from many threads gets consecutive sequence numbers, and all batches together leave
     * no gap.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void concurrentAddMessagesKeepsEachBatchConsecutive(DataAccess store) {
        ChatSession session = Fixtures.session(store);
        List<Callable<List<List<Message>>>> tasks = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            tasks.add(() -> {
                List<List<Message>> batches = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    batches.add(store.addMessages(
                            session.chatId(),
                            List.of(NewMessage.user("q"), NewMessage.assistant("a"), NewMessage.user("q2"))));
                }
                return batches;
            });
        }

        List<List<Message>> batches =
                concurrently(tasks).stream().flatMap(List::stream).toList();

        assertThat(batches).hasSize(THREADS * 5).allSatisfy(batch -> {
            long first = batch.get(0).sequenceNumber();
            assertThat(batch).extracting(Message::sequenceNumber).containsExactly(first, first + 1, first + 2);
        });
        assertThat(batches.stream()
                        .flatMap(List::stream)
                        .map(Message::sequenceNumber)
                        .sorted()
                        .toList())
                .isEqualTo(LongStream.rangeClosed(1, THREADS * 15L).boxed().toList());
        assertThat(store.getChatSession(session.chatId()).orElseThrow().messageCount())
                .isEqualTo(THREADS * 15L);
    }

    /**
     * Writers on different sessions do not interfere: each session's history is numbered 1 to n with no gap.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void concurrentWritersOnDifferentSessionsDoNotInterfere(DataAccess store) {
        List<ChatSession> sessions = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            sessions.add(Fixtures.session(store));
        }
        List<Callable<Void>> tasks = new ArrayList<>();
        for (ChatSession session : sessions) {
            tasks.add(() -> {
                for (int i = 0; i < PER_THREAD; i++) {
                    store.addMessage(session.chatId(), NewMessage.user("m" + i));
                }
                return null;
            });
        }

        concurrently(tasks);

        for (ChatSession session : sessions) {
            assertThat(store.getChatHistory(session.chatId(), 1000, 0))
                    .extracting(Message::sequenceNumber)
                    .isEqualTo(LongStream.rangeClosed(1, PER_THREAD).boxed().toList());
            assertThat(store.getChatSession(session.chatId()).orElseThrow().messageCount())
                    .isEqualTo(PER_THREAD);
        }
    }

    /**
     * Of many concurrent creations of users with one external id, exactly one succeeds; the others throw
     * DuplicateKeyException.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void concurrentCreatesOfOneExternalIdHaveExactlyOneWinner(DataAccess store) {
        List<Callable<String>> tasks = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            tasks.add(() -> {
                try {
                    return store.createUser(NewUser.withExternalId("contested"))
                            .id()
                            .toString();
                } catch (DuplicateKeyException e) {
                    return "duplicate";
                }
            });
        }

        List<String> results = concurrently(tasks);

        assertThat(results).filteredOn(r -> !r.equals("duplicate")).hasSize(1);
        assertThat(snapshot(store).users()).hasSize(1);
        assertThat(store.getUserByExternalId("contested")).isPresent();
    }

    /**
     * Of many concurrent creations of sessions with one chat id, exactly one succeeds and is the one stored.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void concurrentCreatesOfOneChatIdHaveExactlyOneWinner(DataAccess store) {
        List<Callable<String>> tasks = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            tasks.add(() -> {
                try {
                    return store.createChatSession(NewChatSession.of("contested"))
                            .id()
                            .toString();
                } catch (DuplicateKeyException e) {
                    return "duplicate";
                }
            });
        }

        List<String> results = concurrently(tasks);

        List<String> winners =
                results.stream().filter(r -> !r.equals("duplicate")).toList();
        assertThat(winners).hasSize(1);
        assertThat(snapshot(store).sessions())
                .singleElement()
                .satisfies(s -> assertThat(s.id().toString()).isEqualTo(winners.get(0)));
    }

    /**
     * Concurrent memory writes to different keys all land.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void concurrentMemoryWritesToDifferentKeysAllLand(DataAccess store) {
        User user = Fixtures.user(store);
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            tasks.add(() -> {
                for (int i = 0; i < 10; i++) {
                    store.setUserMemory(user.id(), "context", "k" + thread + "-" + i, F.numberNode(i));
                }
                return null;
            });
        }

        concurrently(tasks);

        assertThat(store.getUserMemory(user.id(), "context")).hasSize(THREADS * 10);
    }

    /**
     * Concurrent overwrites of one memory key leave one of the written values, one entry, and the first creation time.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void concurrentOverwritesOfOneMemoryKeyLeaveOneOfTheValues(DataAccess store) {
        User user = Fixtures.user(store);
        MemoryEntry first = store.setUserMemory(user.id(), "context", "hot", F.numberNode(-1));
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            tasks.add(() -> {
                for (int i = 0; i < 10; i++) {
                    store.setUserMemory(user.id(), "context", "hot", F.numberNode(thread * 100 + i));
                }
                return null;
            });
        }

        concurrently(tasks);

        MemoryEntry last = store.getUserMemory(user.id(), "context", "hot").orElseThrow();
        assertThat(last.value().intValue() % 100).isEqualTo(9);
        assertThat(last.createdAt()).isEqualTo(first.createdAt());
        assertThat(snapshot(store).memory()).hasSize(1);
    }

    /**
     * Reads during concurrent writes see a gap-free history and a message count that never goes backwards or below the
     * history.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @throws Exception when waiting for work on another thread fails or is interrupted
     */
    @Test
    default void concurrentReadsDuringWritesSeeConsistentCounts(DataAccess store) throws Exception {
        ChatSession session = Fixtures.session(store);
        int writes = 100;
        CountDownLatch readersStarted = new CountDownLatch(THREADS - 1);
        AtomicBoolean writerDone = new AtomicBoolean();
        Set<Long> countsSeenMidway = ConcurrentHashMap.newKeySet();
        AtomicLong highestSeen = new AtomicLong();
        List<Callable<Boolean>> tasks = new ArrayList<>();
        tasks.add(() -> {
            try {
                assertThat(readersStarted.await(30, TimeUnit.SECONDS))
                        .as("every reader started")
                        .isTrue();
                for (int i = 1; i <= writes; i++) {
                    store.addMessage(session.chatId(), NewMessage.user("w" + i));
                    if (i % 10 == 0 && i < writes) {
                        // Let a reader see this midway state before writing on (bounded), so reads overlap writes.
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                        while (highestSeen.get() < i && System.nanoTime() < deadline) {
                            Thread.onSpinWait();
                        }
                    }
                }
            } finally {
                writerDone.set(true);
            }
            return true;
        });
        for (int t = 1; t < THREADS; t++) {
            tasks.add(() -> {
                long previous = 0;
                boolean first = true;
                // Reads until the writer is done (bounded), so the readers overlap the writes.
                for (int i = 0; i < 100_000 && (first || !writerDone.get()); i++) {
                    List<Message> history = store.getChatHistory(session.chatId(), 1000, 0);
                    long count = store.getMessageCount(session.chatId());
                    if (first) {
                        readersStarted.countDown();
                        first = false;
                    }
                    assertThat(history)
                            .extracting(Message::sequenceNumber)
                            .isEqualTo(LongStream.rangeClosed(1, history.size())
                                    .boxed()
                                    .toList());
                    assertThat(count).isGreaterThanOrEqualTo(history.size()).isGreaterThanOrEqualTo(previous);
                    if (count > 0 && count < writes) {
                        countsSeenMidway.add(count);
                    }
                    highestSeen.accumulateAndGet(count, Math::max);
                    previous = count;
                }
                return true;
            });
        }

        assertThat(concurrently(tasks)).containsOnly(true);
        assertThat(store.getMessageCount(session.chatId())).isEqualTo(writes);
        assertThat(countsSeenMidway)
                .as("message counts the readers saw while the writer was writing: the readers"
                        + " overlapped the writer")
                .isNotEmpty();
    }

    /**
     * Concurrent read-modify-write transactions lose no update; a conflict may only end one with a retryable error that
     * did not commit.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    @Requires(Capability.TRANSACTIONS)
    default void concurrentReadModifyWriteTransactionsLoseNoUpdate(DataAccess store) {
        User user = Fixtures.user(store);
        store.setUserMemory(user.id(), "context", "counter", F.numberNode(0));
        int perThread = 10;
        AtomicInteger committed = new AtomicInteger();
        List<Callable<Boolean>> tasks = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            tasks.add(() -> {
                for (int i = 0; i < perThread; i++) {
                    for (int attempt = 0; ; attempt++) {
                        try {
                            store.useTransaction(tx -> {
                                int value = tx.getUserMemory(user.id(), "context", "counter")
                                        .orElseThrow()
                                        .value()
                                        .intValue();
                                Thread.yield();
                                tx.setUserMemory(user.id(), "context", "counter", F.numberNode(value + 1));
                            });
                            committed.incrementAndGet();
                            break;
                        } catch (RuntimeException e) {
                            // A store may end a conflicting transaction with a retryable error; then it did not commit.
                            assertThat(e).isInstanceOf(Retryable.class).isNotInstanceOf(OutcomeUnknownException.class);
                            assertThat(attempt).as("attempts of one increment").isLessThan(50);
                        }
                    }
                }
                return true;
            });
        }

        assertThat(concurrently(tasks)).containsOnly(true);
        assertThat(committed.get()).isEqualTo(THREADS * perThread);
        assertThat(store.getUserMemory(user.id(), "context", "counter")
                        .orElseThrow()
                        .value()
                        .intValue())
                .as("the counter after %d committed increments", committed.get())
                .isEqualTo(committed.get());
    }
}

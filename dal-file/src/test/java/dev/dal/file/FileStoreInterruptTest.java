package dev.dal.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.DataAccess;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A caller thread that is interrupted (a cancelled request, {@code Future.cancel(true)}, an
 * executor shutting down) may see its own call fail, but must not break the store for every other
 * thread of the process.
 */
class FileStoreInterruptTest {
    private static final int WRITES = 200;

    @TempDir
    Path temp;

    @Test
    void anInterruptedCallerDoesNotBreakTheStoreForOtherThreads() throws Exception {
        try (DataAccess store = CrashWriterMain.open(temp.resolve("store"))) {
            store.createChatSession(NewChatSession.of("c"));
            AtomicReference<Throwable> seen = new AtomicReference<>();
            Thread caller = new Thread(() -> {
                Thread.currentThread().interrupt();
                try {
                    store.addMessage("c", NewMessage.user("from an interrupted thread"));
                } catch (RuntimeException e) {
                    seen.set(e);
                }
            });
            caller.start();
            caller.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(caller.isAlive()).as("the interrupted call returned").isFalse();
            assertThat(seen.get())
                    .as("an interrupt before the call is deferred until the write is done")
                    .isNull();

            long before = store.getMessageCount("c");
            store.addMessage("c", NewMessage.user("later, from another thread"));
            assertThat(store.getMessageCount("c"))
                    .as("the interrupted call failed with %s", seen.get())
                    .isEqualTo(before + 1);
        }
    }

    @Test
    void interruptsInTheMiddleOfWritesLeaveTheStoreWholeAndUsable() throws Exception {
        try (DataAccess store = CrashWriterMain.open(temp.resolve("store"))) {
            store.createChatSession(NewChatSession.of("c"));
            List<String> acknowledged = new ArrayList<>();
            List<String> failures = new ArrayList<>();
            Thread writer = new Thread(() -> {
                for (int i = 0; i < WRITES; i++) {
                    try {
                        Message m = store.addMessages(
                                        "c", List.of(NewMessage.user("u" + i), NewMessage.assistant("a" + i)))
                                .get(0);
                        acknowledged.add(m.sequenceNumber() + " u" + i);
                    } catch (RuntimeException e) {
                        failures.add(String.valueOf(e.getMessage())); // may fail; the store must stay whole
                    }
                    Thread.interrupted();
                }
            });
            writer.start();
            Random random = new Random(19);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (writer.isAlive() && System.nanoTime() - deadline < 0) {
                // Mostly a storm of interrupts, now and then a pause long enough for a write to finish.
                long pause = random.nextInt(4) == 0 ? 2_000_000 + random.nextInt(8_000_000) : 200_000;
                Thread.sleep(pause / 1_000_000, (int) (pause % 1_000_000));
                writer.interrupt();
            }
            writer.join(TimeUnit.SECONDS.toMillis(60));
            assertThat(writer.isAlive()).as("the interrupted writer finished").isFalse();
            assertThat(acknowledged.size() + failures.size())
                    .as("every write returned or failed")
                    .isEqualTo(WRITES);
            assertThat(failures)
                    .as("interrupts landed during writes and failed some of them")
                    .isNotEmpty()
                    .allSatisfy(message -> assertThat(message)
                            .as("a failed write names the interrupt")
                            .contains("interrupted"));
            assertThat(acknowledged)
                    .as("writes between the interrupts went through")
                    .isNotEmpty();

            store.addMessage("c", NewMessage.user("afterwards"));
            StoreAudit audit = StoreAudit.of(store, "after interrupted writes");
            List<Message> history = audit.histories.get("c");
            for (String ack : acknowledged) {
                String[] f = ack.split(" ");
                assertThat(history.get(Integer.parseInt(f[0]) - 1).content()).isEqualTo(f[1]);
            }
            for (int i = 0; i < history.size() - 1; i += 2) {
                String content = history.get(i).content();
                assertThat(content)
                        .as("#%d: a pair's user message, each pair once, in order", i + 1)
                        .matches("u\\d+");
                assertThat(history.get(i + 1).content())
                        .as("pair %s whole", content)
                        .isEqualTo("a" + content.substring(1));
            }
            assertThat(history.stream()
                            .map(Message::content)
                            .filter(c -> c.startsWith("u"))
                            .distinct()
                            .count())
                    .as("no pair stored twice")
                    .isEqualTo((history.size() - 1) / 2);
            // A write that failed after its commit point (the journal deleted) stays whole.
            assertThat(history)
                    .as("the acknowledged pairs, whole failed ones at most, and the last write")
                    .hasSizeBetween(2 * acknowledged.size() + 1, 2 * WRITES + 1);
            assertThat(history.get(history.size() - 1).content()).isEqualTo("afterwards");
            assertThat(history.size() % 2).as("pairs and one single").isEqualTo(1);
        }
    }
}

package dev.dal.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.DataAccess;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.Message;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A caller thread that is interrupted (a cancelled request, {@code Future.cancel(true)}, an
 * executor shutting down) may see its own call fail, but must not break the store for every other
 * thread of the process.
 */
class FileStoreInterruptTest {
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
            caller.join();

            long before = store.getMessageCount("c");
            store.addMessage("c", NewMessage.user("later, from another thread"));
            assertThat(store.getMessageCount("c")).as("the interrupted call failed with %s", seen.get())
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
                for (int i = 0; i < 200; i++) {
                    try {
                        Message m = store.addMessages("c", List.of(NewMessage.user("u" + i), NewMessage.assistant("a" + i)))
                                .get(0);
                        acknowledged.add(m.sequenceNumber() + " u" + i);
                    } catch (RuntimeException e) {
                        failures.add(String.valueOf(e.getMessage())); // may fail; the store must stay whole
                    }
                    Thread.interrupted();
                }
            });
            writer.start();
            while (writer.isAlive()) {
                Thread.sleep(0, 200_000);
                writer.interrupt();
            }
            writer.join();
            System.out.printf("FileStoreInterruptTest: %d of 200 interrupted writes failed%s%n", failures.size(),
                    failures.isEmpty() ? "" : ", e.g. " + failures.get(0));

            store.addMessage("c", NewMessage.user("afterwards"));
            StoreAudit audit = StoreAudit.of(store, "after interrupted writes");
            List<Message> history = audit.histories.get("c");
            for (String ack : acknowledged) {
                String[] f = ack.split(" ");
                assertThat(history.get(Integer.parseInt(f[0]) - 1).content()).isEqualTo(f[1]);
            }
            for (int i = 0; i < history.size() - 1; i++) {
                String content = history.get(i).content();
                if (content.startsWith("u")) {
                    assertThat(history.get(i + 1).content()).as("pair %s whole", content)
                            .isEqualTo("a" + content.substring(1));
                }
            }
            assertThat(history.get(history.size() - 1).content()).isEqualTo("afterwards");
        }
    }
}

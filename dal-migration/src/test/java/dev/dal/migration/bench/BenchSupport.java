package dev.dal.migration.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.Role;
import dev.dal.api.SessionStatus;
import dev.dal.api.User;
import dev.dal.api.UserStatus;
import dev.dal.api.bulk.ScanBatch;
import dev.dal.api.spi.Ids;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;

/** What the copy benchmarks share: the source's contents, the scans both sides read through, medians, load. */
final class BenchSupport {
    /** Records per scan page and per write batch, on both sides of every benchmark. */
    static final int BATCH = 1000;

    private BenchSupport() {}

    /**
     * Fills a store with users (one memory entry each), 10 sessions per user and 100 messages per session.
     *
     * @param store the store to fill
     * @param messageCount how many messages in all
     */
    static void fill(DataAccess store, int messageCount) {
        Instant base = Instant.parse("2024-01-01T00:00:00Z");
        int perSession = 100;
        int sessionsPerUser = 10;
        List<Message> messages = new ArrayList<>(BATCH);
        int written = 0;
        while (written < messageCount) {
            User user = new User(
                    Ids.newId(),
                    "bench-" + written,
                    "u@example.org",
                    "Bench",
                    null,
                    null,
                    UserStatus.ACTIVE,
                    base,
                    base,
                    null);
            store.bulk().upsertUsers(List.of(user));
            store.bulk()
                    .upsertMemory(List.of(new MemoryEntry(
                            user.id(), "context", "k", JsonNodeFactory.instance.textNode("v"), base, base, null)));
            for (int s = 0; s < sessionsPerUser && written < messageCount; s++) {
                int n = Math.min(perSession, messageCount - written);
                UUID sid = Ids.newId();
                store.bulk()
                        .upsertSessions(List.of(new ChatSession(
                                sid,
                                "bench-" + sid,
                                user.id(),
                                "t",
                                null,
                                null,
                                SessionStatus.ACTIVE,
                                base,
                                base,
                                base.plusSeconds(n),
                                n)));
                for (int m = 1; m <= n; m++) {
                    messages.add(new Message(
                            Ids.newId(),
                            sid,
                            m,
                            m % 2 == 1 ? Role.USER : Role.ASSISTANT,
                            "message number " + m + " with some ordinary chat text in it",
                            null,
                            null,
                            false,
                            base.plusSeconds(m)));
                    if (messages.size() == BATCH) {
                        store.bulk().upsertMessages(messages);
                        messages.clear();
                    }
                }
                written += n;
            }
        }
        if (!messages.isEmpty()) {
            store.bulk().upsertMessages(messages);
        }
    }

    /**
     * Reads one kind through its scan, a page of {@link #BATCH} at a time, as the copy does.
     *
     * @param scan the kind's scan: cursor to page
     * @param page what to do with each page's records
     * @return how many records were read
     */
    static <T> long scanAll(Function<String, ScanBatch<T>> scan, Consumer<List<T>> page) {
        long records = 0;
        String cursor = null;
        do {
            ScanBatch<T> batch = scan.apply(cursor);
            if (!batch.items().isEmpty()) {
                page.accept(batch.items());
            }
            records += batch.items().size();
            cursor = batch.nextCursor();
        } while (cursor != null);
        return records;
    }

    /**
     * A new directory for a benchmark's file store: under {@code -Ddal.bench.dir=DIR} when given (a tmpfs keeps the
     * file store's fsyncs from making the fill the longest part of the run; the test servers stay where they are),
     * else under the temporary directory.
     *
     * @param prefix the directory name's prefix
     * @return the new, empty directory
     * @throws IOException when it cannot be created
     */
    static Path directory(String prefix) throws IOException {
        String parent = System.getProperty("dal.bench.dir");
        return parent == null ? Files.createTempDirectory(prefix) : Files.createTempDirectory(Path.of(parent), prefix);
    }

    /** @return the 1, 5 and 15 minute load averages, or {@code unknown} */
    static String load() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (java.io.IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** @return the median of the values (the mean of the middle two for an even count) */
    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}

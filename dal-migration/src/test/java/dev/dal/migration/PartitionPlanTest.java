package dev.dal.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.dal.api.ChatSession;
import dev.dal.api.ConfigurationException;
import dev.dal.api.DataAccess;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.User;
import dev.dal.api.bulk.BulkAccess;
import dev.dal.api.bulk.IdRange;
import dev.dal.api.bulk.ScanBatch;
import dev.dal.api.spi.ForwardingBulkAccess;
import dev.dal.api.spi.ForwardingDataAccess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Copies split by a partition plan: workers read disjoint id ranges whose union is the whole store (every record
 * a worker's scans return is counted), run in any order or at the same time without waiting for each other's
 * users, and each resumes from its own checkpoint.
 */
class PartitionPlanTest {
    private static final int WORKERS = 3;
    private static final int BATCH = 7;

    @TempDir
    Path dir;

    @Test
    void plannedWorkersReadDisjointRangesWhoseUnionIsTheWholeStore() throws Exception {
        try (DataAccess src = Backends.open(Backends.FILE.freshStore());
                DataAccess dst = Backends.open(Backends.POSTGRES.freshStore())) {
            fillUsersFirst(src, 12, 60, 6);
            PartitionPlan plan = PartitionPlan.compute(src, WORKERS, BATCH);
            List<Recording> workers = new ArrayList<>();
            for (int i = 0; i < WORKERS; i++) {
                workers.add(new Recording(src));
            }
            // The last worker runs first, alone, then the others together: the sessions of the last range belong
            // to users of every range, none of which is copied yet when it starts.
            copy(workers, plan, dst, WORKERS - 1);
            ExecutorService pool = Executors.newFixedThreadPool(WORKERS - 1);
            try {
                List<Future<CopyResult>> copies = new ArrayList<>();
                for (int i = 0; i < WORKERS - 1; i++) {
                    int index = i;
                    copies.add(pool.submit(() -> copy(workers, plan, dst, index)));
                }
                for (Future<CopyResult> copy : copies) {
                    copy.get(2, TimeUnit.MINUTES);
                }
            } finally {
                pool.shutdownNow();
            }

            Map<RecordType, Long> totals = StoreCopier.count(src, 1_000);
            for (RecordType kind : RecordType.values()) {
                Set<Object> union = new HashSet<>();
                long read = 0;
                for (int i = 0; i < WORKERS; i++) {
                    IdRange range = plan.range(kind, i).orElseThrow();
                    List<Recording.Read> reads = workers.get(i).reads.get(kind);
                    read += reads.size();
                    // What a worker reads is its range, and at most one batch past its end.
                    assertThat(reads.stream().filter(r -> !range.contains(r.rangeKey())))
                            .as("%s read by worker %d outside %s", kind, i, range)
                            .hasSizeLessThanOrEqualTo(BATCH);
                    reads.stream()
                            .filter(r -> range.contains(r.rangeKey()))
                            .forEach(r -> assertThat(union.add(r.record()))
                                    .as("%s read in range by two workers", r.record())
                                    .isTrue());
                }
                assertThat((long) union.size())
                        .as("%s read in range, all workers", kind)
                        .isEqualTo(totals.get(kind));
                assertThat(read)
                        .as("%s read, all workers", kind)
                        .isLessThanOrEqualTo(totals.get(kind) + WORKERS * BATCH);
            }
            int usersBroughtAlong =
                    workers.stream().mapToInt(w -> w.userReads.get()).sum();
            assertThat(usersBroughtAlong).as("users read one by one").isLessThanOrEqualTo(12 * WORKERS);
            assertThat(new StoreVerifier(src, dst, 100, 100).verify().equal()).isTrue();
        }
    }

    @Test
    void plansCoverEveryIdInContiguousBalancedRangesAndSurviveASaveAndLoad() throws Exception {
        try (DataAccess src = Backends.open(Backends.FILE.freshStore())) {
            SampleData.fill(src, 20, 3, 10);
            PartitionPlan plan = PartitionPlan.compute(src, 4, 5);
            for (List<Optional<IdRange>> ranges : List.of(ranges(plan::users, 4), ranges(plan::sessions, 4))) {
                assertThat(ranges).allSatisfy(r -> assertThat(r).isPresent());
                assertThat(ranges.get(0).orElseThrow().first()).isEqualTo(IdRange.ALL.first());
                assertThat(ranges.get(3).orElseThrow().last()).isEqualTo(IdRange.ALL.last());
                for (int i = 1; i < 4; i++) {
                    UUID end = ranges.get(i - 1).orElseThrow().last();
                    UUID next = ranges.get(i).orElseThrow().first();
                    assertThat(IdRange.compare(end, next)).isNegative();
                    assertThat(new IdRange(end, next).split(2)).hasSize(2); // adjacent: no id between them
                    assertThat(new IdRange(end, next).split(3)).hasSize(2);
                }
            }
            Map<Integer, Integer> usersPer = new java.util.TreeMap<>();
            for (User u : src.bulk().scanUsers(null, 1_000).items()) {
                for (int i = 0; i < 4; i++) {
                    if (plan.users(i).orElseThrow().contains(u.id())) {
                        usersPer.merge(i, 1, Integer::sum);
                    }
                }
            }
            assertThat(usersPer.values()).as("20 users in 4 ranges").containsExactly(5, 5, 5, 5);

            Path file = dir.resolve("plan.json");
            plan.save(file);
            assertThat(PartitionPlan.load(file)).isEqualTo(plan);
            assertThat(PartitionPlan.load(file).fingerprint()).isEqualTo(plan.fingerprint());
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                    .isEqualTo("rw-------");
            Files.writeString(file, "{\"format\":\"something else\"}");
            assertThatThrownBy(() -> PartitionPlan.load(file))
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("not a partition plan");
        }
    }

    @Test
    void aPlanWithMorePartitionsThanRecordsLeavesSomeEmptyAndStillCopiesEverything() {
        try (DataAccess src = Backends.open(Backends.FILE.freshStore());
                DataAccess dst = Backends.open(Backends.FILE.freshStore())) {
            SampleData.fill(src, 2, 1, 3);
            PartitionPlan plan = PartitionPlan.compute(src, 5, 10);
            assertThat(ranges(plan::users, 5)).filteredOn(Optional::isEmpty).isNotEmpty();
            for (int i = 0; i < 5; i++) {
                new StoreCopier(src, dst, 10, new Partition(i, 5), null, null, null)
                        .withPlan(plan)
                        .copy();
            }
            assertThat(new StoreVerifier(src, dst, 100, 100).verify().equal()).isTrue();
        }
    }

    @Test
    void aPlannedWorkerStoppedMidwayResumesAloneFromItsCheckpoint() {
        try (DataAccess src = Backends.open(Backends.FILE.freshStore());
                DataAccess dst = Backends.open(Backends.FILE.freshStore())) {
            SampleData.fill(src, 6, 4, 6);
            PartitionPlan plan = PartitionPlan.compute(src, 2, 5);
            for (int i = 0; i < 2; i++) {
                Partition part = new Partition(i, 2);
                String key = StoreCopier.checkpointKey("src", "dst", part) + " plan " + plan.fingerprint();
                Path checkpoint = StoreCopier.checkpointFile(dir, key);
                AtomicInteger batches = new AtomicInteger();
                CopyListener dies = (kind, scanned, written, total) -> {
                    if (kind == RecordType.MESSAGES && batches.incrementAndGet() == 3) {
                        throw new IllegalStateException("killed");
                    }
                };
                StoreCopier first = new StoreCopier(src, dst, 5, part, checkpoint, key, dies).withPlan(plan);
                assertThatThrownBy(first::copy).hasMessage("killed");
                assertThat(checkpoint).exists();
                CopyResult resumed = new StoreCopier(src, dst, 5, part, checkpoint, key, null)
                        .withPlan(plan)
                        .copy();
                assertThat(resumed.resumed()).isTrue();
                assertThat(checkpoint).doesNotExist();
            }
            assertThat(new StoreVerifier(src, dst, 100, 100).verify().equal()).isTrue();
        }
    }

    /** Users first, then sessions of users taken in turn: most sessions of a range belong to other ranges' users. */
    private static void fillUsersFirst(DataAccess store, int users, int sessions, int messagesPerSession) {
        List<UUID> ids = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            UUID id = store.createUser(NewUser.builder().externalId("ext-" + u).build())
                    .id();
            store.setUserMemory(id, "profile", "name", JsonNodeFactory.instance.textNode("N" + u));
            ids.add(id);
        }
        for (int s = 0; s < sessions; s++) {
            String chatId = "chat-" + s;
            store.createChatSession(new NewChatSession(chatId, ids.get(s % users), "t" + s, null, null));
            List<NewMessage> batch = new ArrayList<>();
            for (int m = 0; m < messagesPerSession; m++) {
                batch.add(NewMessage.user("message " + m + " of " + chatId));
            }
            store.addMessages(chatId, batch);
        }
    }

    private static CopyResult copy(List<Recording> workers, PartitionPlan plan, DataAccess dst, int index) {
        return new StoreCopier(workers.get(index), dst, BATCH, new Partition(index, WORKERS), null, null, null)
                .withPlan(plan)
                .copy();
    }

    private static List<Optional<IdRange>> ranges(Function<Integer, Optional<IdRange>> of, int count) {
        List<Optional<IdRange>> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(of.apply(i));
        }
        return out;
    }

    /** A source that records every record its scans return and every user read by id. */
    private static final class Recording extends ForwardingDataAccess {
        /** @param rangeKey the id that places the record in a range; record the record itself */
        record Read(UUID rangeKey, Object record) {}

        private final DataAccess inner;
        final Map<RecordType, List<Read>> reads = new EnumMap<>(RecordType.class);
        final AtomicInteger userReads = new AtomicInteger();

        Recording(DataAccess inner) {
            this.inner = inner;
            for (RecordType kind : RecordType.values()) {
                reads.put(kind, java.util.Collections.synchronizedList(new ArrayList<>()));
            }
        }

        @Override
        protected DataAccess delegate() {
            return inner;
        }

        @Override
        public Optional<User> getUser(UUID id) {
            userReads.incrementAndGet();
            return inner.getUser(id);
        }

        @Override
        public BulkAccess bulk() {
            BulkAccess bulk = inner.bulk();
            return new ForwardingBulkAccess() {
                @Override
                protected BulkAccess delegate() {
                    return bulk;
                }

                @Override
                public ScanBatch<User> scanUsers(String cursor, int batchSize) {
                    return note(RecordType.USERS, super.scanUsers(cursor, batchSize), User::id);
                }

                @Override
                public ScanBatch<ChatSession> scanSessions(String cursor, int batchSize) {
                    return note(RecordType.SESSIONS, super.scanSessions(cursor, batchSize), ChatSession::id);
                }

                @Override
                public ScanBatch<Message> scanMessages(String cursor, int batchSize) {
                    return note(RecordType.MESSAGES, super.scanMessages(cursor, batchSize), Message::sessionId);
                }

                @Override
                public ScanBatch<MemoryEntry> scanMemory(String cursor, int batchSize) {
                    return note(RecordType.MEMORY, super.scanMemory(cursor, batchSize), MemoryEntry::userId);
                }
            };
        }

        private <T> ScanBatch<T> note(RecordType kind, ScanBatch<T> batch, Function<T, UUID> key) {
            batch.items().forEach(r -> reads.get(kind).add(new Read(key.apply(r), r)));
            return batch;
        }
    }
}

package dev.dal.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.ChatSession;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.DeleteMode;
import dev.dal.api.HistoryQuery;
import dev.dal.api.MemoryEntry;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewUser;
import dev.dal.api.User;
import dev.dal.api.bulk.ScanBatch;
import dev.dal.dualwrite.DualWriteCounters;
import dev.dal.dualwrite.DualWriteDataAccess;
import dev.dal.dualwrite.DualWriteSettings;
import dev.dal.dualwrite.RecordKind;
import dev.dal.test.postgres.PostgresTestServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live migration from the file store to PostgreSQL in Stripe's four phases, each a configuration change only:
 * every phase builds its store with {@link DataAccessFactory#create(DalConfig)} from settings, after the previous
 * phase's store was closed (a restart), while application threads keep writing.
 * <ol start="0">
 * <li>the file store alone, filled by several writers;</li>
 * <li>dual-write to PostgreSQL, reads from the file store;</li>
 * <li>backfill of the older records through the bulk scans and {@link DualWriteDataAccess#resync}, writers
 *     still writing; afterwards the two stores are equal record for record;</li>
 * <li>reads compared (no mismatch once writers are quiet), then read from PostgreSQL;</li>
 * <li>cut-over: pause writes, {@code repair()}, swap roles (PostgreSQL primary, file secondary), then dual-write off.</li>
 * </ol>
 * At the end PostgreSQL holds every write the writers were told succeeded, and nothing they deleted.
 */
class FourPhaseMigrationTest {
    private static final int WRITERS = 4;
    private static final int OPS_PER_PHASE = 40;

    @TempDir
    Path dir;

    private final Ledger ledger = new Ledger();
    private final List<Writers.Owned> owners =
            IntStream.range(0, WRITERS).mapToObj(Writers.Owned::new).toList();
    private final List<String> shared = new ArrayList<>();

    private Map<String, String> fileStore() {
        return Map.of(
                "DATA_STORAGE_TYPE",
                "file",
                "DATA_DIR",
                dir.resolve("file-store").toString());
    }

    private static Map<String, String> postgres() {
        return PostgresTestServer.get().settingsForDatabase("dual_write_phases");
    }

    /** The primary's settings as they are, the secondary's under {@code MIGRATION_SECONDARY_}. */
    private Map<String, String> dualWrite(Map<String, String> primary, Map<String, String> secondary, String readFrom) {
        Map<String, String> settings = new TreeMap<>(primary);
        secondary.forEach((name, value) -> settings.put(
                name.equals(DalConfig.DATA_STORAGE_TYPE)
                        ? DalConfig.MIGRATION_SECONDARY_STORAGE_TYPE
                        : DalConfig.MIGRATION_SECONDARY_PREFIX + name,
                value));
        settings.put(DalConfig.MIGRATION_ENABLE_DUAL_WRITE, "true");
        settings.put(DualWriteSettings.READ_FROM.name(), readFrom);
        settings.put(DualWriteSettings.SECONDARY_FAILURE.name(), "fail");
        settings.put(DualWriteSettings.SECONDARY_TIMEOUT.name(), "PT30S");
        settings.put(
                DualWriteSettings.REPAIR_JOURNAL_DIR.name(),
                dir.resolve("journal").toString());
        return settings;
    }

    private static DataAccess open(Map<String, String> settings) {
        return DataAccessFactory.create(DalConfig.fromMap(settings));
    }

    /** Opens the phase's store, lets the writers write through it while {@code during} runs, then closes it. */
    private void phase(Map<String, String> settings, Consumer<DataAccess> during, Consumer<DataAccess> quiet)
            throws InterruptedException {
        try (DataAccess store = open(settings)) {
            Writers writers = new Writers(store, ledger, shared, owners, OPS_PER_PHASE);
            try {
                during.accept(store);
            } finally {
                writers.stop();
            }
            quiet.accept(store);
        }
    }

    @Test
    void fileToPostgresInFourPhasesLosesNoAcknowledgedWrite() throws InterruptedException {
        wipe(postgres());
        Map<String, String> file = fileStore();
        Map<String, String> pg = postgres();

        // Phase 0: the application on the file store alone.
        try (DataAccess store = open(file)) {
            User owner = store.createUser(NewUser.withExternalId("shared-owner"));
            ledger.user(owner);
            for (int i = 0; i < 2; i++) {
                ChatSession session = store.createChatSession(NewChatSession.of("shared-" + i, owner.id()));
                ledger.session(session);
                shared.add(session.chatId());
            }
        }
        phase(file, store -> {}, store -> {});
        int preExisting = ledger.size();

        // Phase 1: dual-write, reads from the file store. PostgreSQL gets what is written from now on.
        phase(dualWrite(file, pg, "primary"), store -> {}, store -> {
            DualWriteDataAccess dual = DualWriteDataAccess.find(store).orElseThrow();
            assertThat(dual.counters().writes()).isPositive();
            assertThat(StoreSnapshot.of(dual.secondary()).size())
                    .isLessThan(StoreSnapshot.of(dual.primary()).size());
        });

        // Phase 2: backfill while the writers go on; then the stores are equal.
        phase(dualWrite(file, pg, "primary"), FourPhaseMigrationTest::backfill, store -> {
            DualWriteDataAccess dual = DualWriteDataAccess.find(store).orElseThrow();
            assertStoresEqual(dual);
            assertThat(dual.counters().secondaryFailures()).isZero();
        });

        // Phase 3: compare reads; once writers are quiet, a read of every record finds no mismatch.
        phase(dualWrite(file, pg, "compare"), store -> {}, store -> {
            DualWriteDataAccess dual = DualWriteDataAccess.find(store).orElseThrow();
            DualWriteCounters before = dual.counters();
            int reads = readEverything(store, StoreSnapshot.of(dual.primary()));
            DualWriteCounters after = dual.counters();
            assertThat(after.readsCompared() - before.readsCompared()).isEqualTo(reads);
            assertThat(after.mismatches() - before.mismatches())
                    .as("mismatches once quiet: %s", dual.recentMismatches())
                    .isZero();
        });
        // ... then reads from PostgreSQL (the writers read back each update from it). Cut-over step 1 and 2:
        // writes paused (the phase's writers stopped), the journal replayed.
        phase(dualWrite(file, pg, "secondary"), store -> {}, store -> {
            DualWriteDataAccess dual = DualWriteDataAccess.find(store).orElseThrow();
            assertThat(dual.repair().remaining()).isEmpty();
            assertStoresEqual(dual);
        });

        // Phase 4: swap roles by configuration (PostgreSQL the source of truth), then stop writing the file store.
        try (DataAccess oldStore = open(file);
                DataAccess newStore = open(pg)) {
            assertThat(StoreSnapshot.of(newStore).differencesFrom(StoreSnapshot.of(oldStore)))
                    .as("at the swap")
                    .isEmpty();
        }
        phase(dualWrite(pg, file, "primary"), store -> {}, store -> {
            assertStoresEqual(DualWriteDataAccess.find(store).orElseThrow());
        });
        phase(
                pg,
                store -> {},
                store -> assertThat(DualWriteDataAccess.find(store)).isEmpty());

        try (DataAccess store = open(pg)) {
            StoreSnapshot end = StoreSnapshot.of(store);
            ledger.assertHeldBy(end);
            assertThat(end.size()).isGreaterThan(preExisting);
        }
    }

    /**
     * Phase 2's copy: scans the primary in batches and brings each record over with {@code resync}, which re-reads
     * the primary under the record's replication lock, so a scanned (older) version cannot overwrite a newer one
     * the writers replicated meanwhile, nor bring back a record they deleted.
     */
    private static void backfill(DataAccess store) {
        DualWriteDataAccess dual = DualWriteDataAccess.find(store).orElseThrow();
        DataAccess primary = dual.primary();
        scan((c, n) -> primary.bulk().scanUsers(c, n), u -> dual.resync(RecordKind.USER, List.of(u.id().toString())));
        scan((c, n) -> primary.bulk().scanSessions(c, n), s -> {
            dual.resync(RecordKind.SESSION, List.of(s.chatId()));
            if (s.messageCount() > 0) {
                dual.resync(RecordKind.MESSAGES, List.of(s.chatId(), "1", Long.toString(s.messageCount())));
            }
        });
        scan(
                (c, n) -> primary.bulk().scanMemory(c, n),
                m -> dual.resync(RecordKind.MEMORY, List.of(m.userId().toString(), m.memoryType(), m.key())));
    }

    private static <T> void scan(java.util.function.BiFunction<String, Integer, ScanBatch<T>> scan, Consumer<T> each) {
        String cursor = null;
        do {
            ScanBatch<T> batch = scan.apply(cursor, 100);
            batch.items().forEach(each);
            cursor = batch.nextCursor();
        } while (cursor != null);
    }

    private static void assertStoresEqual(DualWriteDataAccess dual) {
        StoreSnapshot primary = StoreSnapshot.of(dual.primary());
        assertThat(StoreSnapshot.of(dual.secondary()).differencesFrom(primary)).isEmpty();
        assertThat(primary.size()).isPositive();
    }

    /** Reads every record through the store's reads; returns how many reads it made. */
    private static int readEverything(DataAccess store, StoreSnapshot records) {
        int reads = 0;
        for (User u : records.users()) {
            store.getUser(u.id());
            store.listUserSessionsWithLastMessage(u.id(), 50, 0);
            store.getUserMemory(u.id(), "context");
            reads += 3;
        }
        for (ChatSession s : records.sessions()) {
            store.getChatSession(s.chatId());
            store.getChatHistory(s.chatId(), HistoryQuery.latest(100));
            store.getMessageCount(s.chatId());
            reads += 3;
        }
        for (MemoryEntry m : records.memory()) {
            store.getUserMemory(m.userId(), m.memoryType(), m.key());
            reads++;
        }
        return reads;
    }

    /** Empties the test database (it may hold an earlier run's records on an external server). */
    private static void wipe(Map<String, String> settings) {
        try (DataAccess store = open(settings)) {
            StoreSnapshot all = StoreSnapshot.of(store);
            all.users().forEach(u -> store.deleteUser(u.id(), DeleteMode.PURGE));
            all.sessions().forEach(s -> store.deleteChatSession(s.chatId()));
            assertThat(StoreSnapshot.of(store).size()).isZero();
        }
    }
}

package dev.dal.integration;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.dualwrite.DualWriteCounters;
import dev.dal.dualwrite.DualWriteDataAccess;
import dev.dal.dualwrite.DualWriteSettings;
import dev.dal.test.postgres.PostgresTestServer;
import dev.dal.testkit.StoreProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Hands the conformance kit a dual-write store the way an application gets one: {@link DataAccessFactory#create(DalConfig)}
 * with {@code MIGRATION_ENABLE_DUAL_WRITE=true}, the secondary's settings under {@code MIGRATION_SECONDARY_}, and
 * the {@code fail} policy, so any replication the secondary refuses fails the kit test that caused it.
 *
 * <p>Each store starts empty on both ends (a fresh directory, a truncated database). Before the next store is
 * opened, and when the class ends, the previous test's primary and secondary are opened on their own and compared
 * record for record through the bulk scans; {@link #close()} fails the class when any pair differed, or when
 * compare mode was asked for and no read was compared.
 */
final class DualWriteStores implements StoreProvider {

    /** One end of a pair: a store type and the settings that reach an empty instance of it. */
    enum End {
        FILE,
        POSTGRESQL;

        Map<String, String> emptyStore(Path dir) {
            if (this == FILE) {
                return Map.of("DATA_STORAGE_TYPE", "file", "DATA_DIR", dir.toString());
            }
            return PostgresTestServer.get().settings();
        }
    }

    private final End primary;
    private final End secondary;
    private final String readFrom;
    private final Path base;
    private final List<String> problems = new ArrayList<>();
    private DalConfig current;
    private DataAccess lastOpened;
    private String lastTest = "";
    private int counter;
    private long comparedReads;

    DualWriteStores(End primary, End secondary, String readFrom) {
        if (primary == End.POSTGRESQL && secondary == End.POSTGRESQL) {
            throw new IllegalArgumentException("one test server database: pair PostgreSQL with the file store");
        }
        this.primary = primary;
        this.secondary = secondary;
        this.readFrom = readFrom;
        try {
            base = Files.createTempDirectory("dal-dual-write-kit");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public DataAccess openEmpty(Clock clock) {
        return openEmpty(clock, Map.of(), null);
    }

    /** The extra settings go to the primary; a pair of local and embedded stores has no address to proxy. */
    @Override
    public DataAccess openEmpty(Clock clock, Map<String, String> extra, InetSocketAddress via) {
        if (via != null) {
            throw new UnsupportedOperationException("a dual-write pair is not reached through one address");
        }
        checkPreviousPair();
        int n = counter++;
        Map<String, String> settings = new TreeMap<>();
        settings.putAll(primary.emptyStore(base.resolve("primary-" + n)));
        secondary
                .emptyStore(base.resolve("secondary-" + n))
                .forEach((name, value) -> settings.put(secondaryName(name), value));
        settings.put(DalConfig.MIGRATION_ENABLE_DUAL_WRITE, "true");
        settings.put(DualWriteSettings.READ_FROM.name(), readFrom);
        settings.put(DualWriteSettings.SECONDARY_FAILURE.name(), "fail");
        settings.put(DualWriteSettings.SECONDARY_TIMEOUT.name(), "PT30S");
        settings.put(
                DualWriteSettings.REPAIR_JOURNAL_DIR.name(),
                base.resolve("journal-" + n).toString());
        settings.putAll(extra);
        current = DalConfig.builder().settings(settings).clock(clock).build();
        lastOpened = DataAccessFactory.create(current);
        if (primary == End.POSTGRESQL || secondary == End.POSTGRESQL) {
            PostgresTestServer.get().truncate(); // after opening: the first open creates the schema
        }
        lastTest = "store #" + n;
        return lastOpened;
    }

    private static String secondaryName(String name) {
        return name.equals(DalConfig.DATA_STORAGE_TYPE)
                ? DalConfig.MIGRATION_SECONDARY_STORAGE_TYPE
                : DalConfig.MIGRATION_SECONDARY_PREFIX + name;
    }

    @Override
    public DataAccess reopen(Clock clock) {
        return DataAccessFactory.create(current.toBuilder().clock(clock).build());
    }

    /** Opens the last pair's two stores on their own and compares them record for record. */
    private void checkPreviousPair() {
        if (current == null) {
            return;
        }
        // Compared reads are not held to zero mismatches: the kit's concurrency tests read while other threads'
        // replications are in flight (Scientist's noise). The stores' final equality is what must hold.
        DualWriteCounters counters =
                DualWriteDataAccess.find(lastOpened).orElseThrow().counters();
        comparedReads += counters.readsCompared();
        DalConfig alone = current.toBuilder()
                .setting(DalConfig.MIGRATION_ENABLE_DUAL_WRITE, "false")
                .build();
        try (DataAccess p = DataAccessFactory.create(alone);
                DataAccess s = DataAccessFactory.create(alone.secondaryConfig().orElseThrow())) {
            List<String> differences = StoreSnapshot.of(p).differencesFrom(StoreSnapshot.of(s));
            if (!differences.isEmpty()) {
                problems.add(lastTest + ": primary and secondary differ: " + differences);
            }
        }
    }

    @Override
    public void close() {
        try {
            checkPreviousPair();
        } finally {
            try (Stream<Path> walk = Files.walk(base)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                problems.add("could not delete " + base + ": " + e);
            }
        }
        if (readFrom.equals("compare") && comparedReads == 0) {
            problems.add("compare mode compared no read");
        }
        if (!problems.isEmpty()) {
            throw new AssertionError(
                    problems.size() + " problem(s) with the dual-write stores:\n" + String.join("\n", problems));
        }
    }
}

package dev.dal.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dal.api.ConfigurationException;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessException;
import dev.dal.api.NewUser;
import dev.dal.api.Timestamps;
import dev.dal.api.User;
import dev.dal.api.ValidationException;
import dev.dal.api.spi.SchemaChange;
import dev.dal.api.spi.SchemaMigrator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file store's schema: the version of its on-disk layout, recorded in {@code layout-version.json}. A
 * directory without the marker holds version 1 and opens as it is; {@code migrate} records the marker;
 * version 1 cannot be rolled back; a directory a newer Dal laid out is refused.
 */
class FileSchemaMigratorTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T10:15:30.123456Z"), ZoneOffset.UTC);
    private static final String MARKER = "layout-version.json";

    @TempDir
    Path temp;

    private static DalConfig config(Path dir) {
        return DalConfig.builder()
                .storageType("file")
                .setting("DATA_DIR", dir.toString())
                .clock(CLOCK)
                .build();
    }

    private static SchemaMigrator migrator(Path dir) {
        return new FileStoreProvider().schemaMigrator(config(dir));
    }

    private static List<String> versions(List<SchemaChange> changes) {
        return changes.stream()
                .map(c -> c.version() + (c.applied() ? " applied" : " pending"))
                .toList();
    }

    @Test
    void statusOfADirectoryWithoutTheMarkerShowsLayoutOnePendingAndCreatesNothing() {
        Path dir = temp.resolve("none");
        try (SchemaMigrator migrator = migrator(dir)) {
            List<SchemaChange> status = migrator.status();
            assertThat(versions(status)).containsExactly("1 pending");
            assertThat(status.get(0).appliedAt()).isNull();
            assertThat(status.get(0).description()).isNotBlank();
        }
        assertThat(dir).doesNotExist();
    }

    @Test
    void migrateRecordsLayoutOneOnceInAPrivateMarker() throws IOException {
        Path dir = temp.resolve("store");
        try (SchemaMigrator migrator = migrator(dir)) {
            List<SchemaChange> applied = migrator.migrate();
            assertThat(versions(applied)).containsExactly("1 applied");
            assertThat(applied.get(0).appliedAt()).isEqualTo(Timestamps.now(CLOCK));
            assertThat(migrator.migrate()).as("already current").isEmpty();
            List<SchemaChange> status = migrator.status();
            assertThat(versions(status)).containsExactly("1 applied");
            assertThat(status.get(0).appliedAt()).isEqualTo(Timestamps.now(CLOCK));
        }
        Path marker = dir.resolve(MARKER);
        assertThat(marker).isRegularFile();
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(marker)))
                    .isEqualTo("rw-------");
        }
    }

    @Test
    void aStoreWithoutTheMarkerOpensAsLayoutOneAndKeepsItsDataWhenMigrated() {
        Path dir = temp.resolve("older");
        User user;
        try (DataAccess store = TempFileStores.open(dir, CLOCK)) {
            user = store.createUser(NewUser.withExternalId("kept"));
        }
        assertThat(dir.resolve(MARKER)).as("opening records nothing").doesNotExist();
        try (SchemaMigrator migrator = migrator(dir)) {
            assertThat(versions(migrator.status())).containsExactly("1 pending");
            assertThat(versions(migrator.migrate())).containsExactly("1 applied");
        }
        try (DataAccess store = TempFileStores.open(dir, CLOCK)) {
            assertThat(store.getUser(user.id())).contains(user);
        }
    }

    @Test
    void layoutOneCannotBeRolledBack() {
        Path dir = temp.resolve("store");
        try (SchemaMigrator migrator = migrator(dir)) {
            assertThat(migrator.rollback(null)).as("nothing recorded to undo").isEmpty();
            migrator.migrate();
            assertThatThrownBy(() -> migrator.rollback(null))
                    .isInstanceOf(ValidationException.class)
                    .hasMessageContaining("layout version 1")
                    .hasMessageContaining("cannot be rolled back");
            assertThat(migrator.rollback("1")).as("version 1 stays applied").isEmpty();
            assertThatThrownBy(() -> migrator.rollback("7"))
                    .isInstanceOf(ValidationException.class)
                    .hasMessageContaining("names no known file store layout version (known: [1])");
            assertThat(versions(migrator.status())).containsExactly("1 applied");
        }
        assertThat(dir.resolve(MARKER)).isRegularFile();
    }

    @Test
    void aDirectoryANewerDalLaidOutIsRefused() throws IOException {
        Path dir = Files.createDirectories(temp.resolve("newer"));
        Files.writeString(dir.resolve(MARKER), "{\"version\":2,\"appliedAt\":\"2027-01-01T00:00:00.000Z\"}");
        assertThatThrownBy(() -> TempFileStores.open(dir, CLOCK))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("layout version 2")
                .hasMessageContaining("newer than this version of Dal knows")
                .hasMessageContaining("DATA_DIR");
        try (SchemaMigrator migrator = migrator(dir)) {
            assertThatThrownBy(migrator::status)
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("layout version 2");
            assertThatThrownBy(migrator::migrate).isInstanceOf(ConfigurationException.class);
        }
        // The refusal changed nothing: the directory opens once its marker names a version this code knows.
        Files.writeString(dir.resolve(MARKER), "{\"version\":1,\"appliedAt\":null}");
        try (DataAccess store = TempFileStores.open(dir, CLOCK)) {
            assertThat(store.getUserByExternalId("x")).isEmpty();
        }
    }

    @Test
    void anUnreadableMarkerFailsTheOpenWithoutShowingItsContent() throws IOException {
        Path dir = Files.createDirectories(temp.resolve("broken"));
        Files.write(dir.resolve(MARKER), "secret-not-json".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> TempFileStores.open(dir, CLOCK))
                .isInstanceOf(DataAccessException.class)
                .hasMessageContaining("unreadable layout version record")
                .hasMessageNotContaining("secret");
        Files.writeString(dir.resolve(MARKER), "{\"version\":0}");
        assertThatThrownBy(() -> TempFileStores.open(dir, CLOCK))
                .isInstanceOf(DataAccessException.class)
                .hasMessageContaining("unreadable layout version record");
    }
}

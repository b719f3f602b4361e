package dev.dal.postgres.internal;

import dev.dal.api.DalConfig;
import dev.dal.api.ValidationException;
import dev.dal.api.spi.SchemaChange;
import dev.dal.api.spi.SchemaMigrator;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The PostgreSQL store's {@link SchemaMigrator}: the Liquibase changelog through {@link PostgresLiquibase},
 * on a small pool of its own. Status shows the checksum Liquibase recorded for applied changesets
 * and the one it computes for pending ones; migrate verifies recorded checksums and holds
 * Liquibase's lock (and an advisory lock) while it runs; rollback undoes changesets newest first.
 * Versions are changeset ids such as {@code 004-user-memory}.
 */
public final class PostgresSchemaMigrator implements SchemaMigrator {
    private final PostgresConnection db;
    private final PostgresLiquibase liquibase;

    private PostgresSchemaMigrator(PostgresConnection db) {
        this.db = db;
        this.liquibase = new PostgresLiquibase(db);
    }

    /**
     * @param config the configuration naming the database
     * @return a migrator on its own pool of at most three connections
     */
    public static PostgresSchemaMigrator open(DalConfig config) {
        DalConfig small =
                config.toBuilder().setting(DalConfig.DB_MAX_CONNECTIONS, "3").build();
        return new PostgresSchemaMigrator(new PostgresConnection(small, PostgresSettings.from(small)));
    }

    @Override
    public List<SchemaChange> status() {
        Map<String, Applied> applied = applied();
        List<SchemaChange> all = new ArrayList<>();
        for (PostgresLiquibase.ChangeSetInfo info : liquibase.changeSets()) {
            Applied done = applied.get(info.author() + ":" + info.id());
            all.add(
                    done == null
                            ? new SchemaChange(info.id(), info.description(), false, null, info.checksum())
                            : new SchemaChange(info.id(), info.description(), true, done.at(), done.checksum()));
        }
        return List.copyOf(all);
    }

    @Override
    public List<SchemaChange> migrate() {
        List<SchemaChange> before = status();
        liquibase.migrate();
        return newlyChanged(before, status(), true);
    }

    @Override
    public List<SchemaChange> rollback(String toVersion) {
        List<SchemaChange> before = status();
        List<SchemaChange> appliedNow =
                before.stream().filter(SchemaChange::applied).toList();
        int count;
        if (toVersion == null) {
            count = appliedNow.isEmpty() ? 0 : 1;
        } else {
            int index = -1;
            for (int i = 0; i < before.size(); i++) {
                if (before.get(i).version().equals(toVersion)) {
                    index = i;
                }
            }
            if (index < 0) {
                throw new ValidationException(
                        "toVersion",
                        "must name a changeset of the changelog, one of "
                                + before.stream().map(SchemaChange::version).toList());
            }
            int keep = index;
            count = (int)
                    appliedNow.stream().filter(c -> before.indexOf(c) > keep).count();
        }
        if (count == 0) {
            return List.of();
        }
        liquibase.rollback(count);
        List<SchemaChange> undone = new ArrayList<>(newlyChanged(before, status(), false));
        java.util.Collections.reverse(undone);
        return List.copyOf(undone);
    }

    private static List<SchemaChange> newlyChanged(
            List<SchemaChange> before, List<SchemaChange> after, boolean nowApplied) {
        List<SchemaChange> changed = new ArrayList<>();
        for (int i = 0; i < after.size(); i++) {
            if (before.get(i).applied() != nowApplied && after.get(i).applied() == nowApplied) {
                changed.add(nowApplied ? after.get(i) : before.get(i));
            }
        }
        return List.copyOf(changed);
    }

    private record Applied(Instant at, String checksum) {}

    private Map<String, Applied> applied() {
        Map<String, Applied> applied = new HashMap<>();
        try (Connection c = db.connection();
                Statement st = c.createStatement()) {
            try (ResultSet exists = st.executeQuery("SELECT to_regclass('databasechangelog') IS NOT NULL")) {
                exists.next();
                if (!exists.getBoolean(1)) {
                    return applied;
                }
            }
            try (ResultSet rs =
                    st.executeQuery("SELECT author || ':' || id, dateexecuted, md5sum FROM databasechangelog")) {
                while (rs.next()) {
                    java.sql.Timestamp at = rs.getTimestamp(2);
                    applied.put(rs.getString(1), new Applied(at == null ? null : at.toInstant(), rs.getString(3)));
                }
            }
        } catch (SQLException e) {
            throw PostgresErrors.translate("schema status", db.explain(e));
        }
        return applied;
    }

    @Override
    public void close() {
        db.close();
    }
}

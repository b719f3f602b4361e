package dev.dal.postgres.internal;

import dev.dal.api.DataAccessException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import liquibase.ChecksumVersion;
import liquibase.Scope;
import liquibase.changelog.ChangeLogHistoryServiceFactory;
import liquibase.changelog.ChangeLogParameters;
import liquibase.changelog.ChangeSet;
import liquibase.changelog.DatabaseChangeLog;
import liquibase.changelog.FastCheckService;
import liquibase.command.CommandScope;
import liquibase.command.core.RollbackCountCommandStep;
import liquibase.command.core.UpdateCommandStep;
import liquibase.command.core.helpers.DatabaseChangelogCommandStep;
import liquibase.command.core.helpers.DbUrlConnectionArgumentsCommandStep;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.parser.ChangeLogParserFactory;
import liquibase.resource.ClassLoaderResourceAccessor;
import liquibase.ui.LoggerUIService;

/**
 * The Liquibase runner for the PostgreSQL schema: {@link #migrate()} applies the changelog
 * (checksums verified, runs serialized by Liquibase's lock table), {@link #status()} lists applied
 * and pending changesets, {@link #rollback(int)} undoes the newest ones.
 */
public final class PostgresLiquibase {
    /** The changelog, on the class path. */
    public static final String CHANGELOG = "dev/dal/postgres/db/changelog.sql";

    private static final Pattern CHANGESET = Pattern.compile("^--changeset (\\S+):(\\S+)", Pattern.MULTILINE);

    /** Advisory lock key serializing schema work, including Liquibase creating its own tables. */
    private static final long SCHEMA_LOCK = 0x64616c5f736368L;

    /**
     * The changelog parameter that names the text search configuration {@code idx_messages_content_fts} is built
     * for ({@code DB_SEARCH_CONFIG}).
     */
    static final String SEARCH_CONFIG_PARAMETER = "dal.searchConfig";

    private final DataSource dataSource;
    private final PostgresConnection db;
    private final String searchConfig;

    /**
     * A runner with the default text search configuration ({@value PostgresSettings#DEFAULT_SEARCH_CONFIG}).
     *
     * @param dataSource where the schema lives
     */
    public PostgresLiquibase(DataSource dataSource) {
        this(dataSource, PostgresSettings.DEFAULT_SEARCH_CONFIG);
    }

    /**
     * @param dataSource where the schema lives
     * @param searchConfig the text search configuration the full-text index is built for, a name
     *     {@code DB_SEARCH_CONFIG} accepts
     */
    public PostgresLiquibase(DataSource dataSource, String searchConfig) {
        this.dataSource = dataSource;
        this.db = null;
        this.searchConfig = searchConfig;
    }

    /** @param db the store's pools: connections borrowed as the store borrows them, failures explained alike */
    PostgresLiquibase(PostgresConnection db) {
        this.dataSource = db.dataSource();
        this.db = db;
        this.searchConfig = db.settings().searchConfig();
    }

    /** @return the changelog's parameters: the text search configuration */
    private ChangeLogParameters parameters() {
        ChangeLogParameters parameters = new ChangeLogParameters();
        parameters.set(SEARCH_CONFIG_PARAMETER, searchConfig);
        return parameters;
    }

    private Connection connection() throws SQLException {
        return db != null ? db.connection() : dataSource.getConnection();
    }

    private Throwable explain(Throwable failure) {
        return db != null ? db.explain(failure) : failure;
    }

    /** One changeset and whether it is applied. */
    public record ChangeSetStatus(String id, String author, boolean applied) {}

    /**
     * One changeset as the changelog ships it.
     *
     * @param id the changeset id, e.g. {@code 001-users}
     * @param author its author
     * @param description its first statement's first line
     * @param checksum the checksum Liquibase computes for it (the one it records when applying it)
     */
    public record ChangeSetInfo(String id, String author, String description, String checksum) {}

    /** @return every changeset of the changelog, in order, with its computed checksum */
    public List<ChangeSetInfo> changeSets() {
        ClassLoaderResourceAccessor resources =
                new ClassLoaderResourceAccessor(PostgresLiquibase.class.getClassLoader());
        List<ChangeSetInfo> all = new ArrayList<>();
        try {
            Scope.child(
                    Map.of(
                            Scope.Attr.resourceAccessor.name(),
                            resources,
                            Scope.Attr.ui.name(),
                            new LoggerUIService(),
                            "liquibase.analytics.enabled",
                            false),
                    () -> {
                        DatabaseChangeLog log = ChangeLogParserFactory.getInstance()
                                .getParser(CHANGELOG, resources)
                                .parse(CHANGELOG, parameters(), resources);
                        for (ChangeSet set : log.getChangeSets()) {
                            all.add(new ChangeSetInfo(
                                    set.getId(),
                                    set.getAuthor(),
                                    describe(set),
                                    set.generateCheckSum(ChecksumVersion.latest())
                                            .toString()));
                        }
                    });
        } catch (Exception e) {
            throw new DataAccessException("The changelog " + CHANGELOG + " could not be parsed");
        }
        return List.copyOf(all);
    }

    private static String describe(ChangeSet set) {
        Matcher m = Pattern.compile("--changeset " + Pattern.quote(set.getAuthor() + ":" + set.getId())
                        + "\\s*\\n(?:\\s*--[^\\n]*\\n)*\\s*([^\\n]+)")
                .matcher(changelogText());
        return m.find() ? m.group(1).replaceAll("\\s*\\($", "").trim() : set.getId();
    }

    /**
     * Applies every pending changeset.
     *
     * @throws dev.dal.api.ConfigurationException when the server has no text search configuration of the name
     *     {@code DB_SEARCH_CONFIG} gives
     */
    public void migrate() {
        run("migrate", database -> {
            requireSearchConfig(((JdbcConnection) database.getConnection()).getUnderlyingConnection());
            update(database);
        });
    }

    private void requireSearchConfig(Connection connection) throws SQLException {
        try (java.sql.PreparedStatement st =
                connection.prepareStatement("SELECT 1 FROM pg_ts_config WHERE cfgname = ?")) {
            st.setString(1, searchConfig);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    throw new dev.dal.api.ConfigurationException("DB_SEARCH_CONFIG names " + searchConfig
                            + ", which is not a text search configuration of this PostgreSQL server"
                            + " (see pg_ts_config; simple is the default)");
                }
            }
        }
    }

    private void update(Database database) throws Exception {
        new CommandScope(UpdateCommandStep.COMMAND_NAME)
                .addArgumentValue(DbUrlConnectionArgumentsCommandStep.DATABASE_ARG, database)
                .addArgumentValue(UpdateCommandStep.CHANGELOG_FILE_ARG, CHANGELOG)
                .addArgumentValue(DatabaseChangelogCommandStep.CHANGELOG_PARAMETERS, parameters())
                // The summary goes to the log only: a library writes nothing to the application's stdout.
                .addArgumentValue(
                        liquibase.command.core.helpers.ShowSummaryArgument.SHOW_SUMMARY_OUTPUT,
                        liquibase.UpdateSummaryOutputEnum.LOG)
                .execute();
    }

    /** @param count how many of the newest applied changesets to undo */
    public void rollback(int count) {
        run(
                "rollback",
                database -> new CommandScope(RollbackCountCommandStep.COMMAND_NAME)
                        .addArgumentValue(DbUrlConnectionArgumentsCommandStep.DATABASE_ARG, database)
                        .addArgumentValue(DatabaseChangelogCommandStep.CHANGELOG_FILE_ARG, CHANGELOG)
                        .addArgumentValue(DatabaseChangelogCommandStep.CHANGELOG_PARAMETERS, parameters())
                        .addArgumentValue(RollbackCountCommandStep.COUNT_ARG, count)
                        .execute());
    }

    /** @return every changeset of the changelog, in order, with whether it is applied */
    public List<ChangeSetStatus> status() {
        List<String> applied = new ArrayList<>();
        try (Connection c = connection();
                Statement st = c.createStatement()) {
            try (ResultSet exists = st.executeQuery("SELECT to_regclass('databasechangelog') IS NOT NULL")) {
                exists.next();
                if (exists.getBoolean(1)) {
                    try (ResultSet rs = st.executeQuery("SELECT author || ':' || id FROM databasechangelog")) {
                        while (rs.next()) {
                            applied.add(rs.getString(1));
                        }
                    }
                }
            }
        } catch (SQLException e) {
            throw PostgresErrors.translate("schema status", explain(e));
        }
        List<ChangeSetStatus> all = new ArrayList<>();
        Matcher m = CHANGESET.matcher(changelogText());
        while (m.find()) {
            all.add(new ChangeSetStatus(m.group(2), m.group(1), applied.contains(m.group(1) + ":" + m.group(2))));
        }
        return all;
    }

    /** @return every changeset of the changelog as {@code author:id}, in order, read from its text (no Liquibase) */
    static List<String> expectedChangeSets() {
        List<String> all = new ArrayList<>();
        Matcher m = CHANGESET.matcher(changelogText());
        while (m.find()) {
            all.add(m.group(1) + ":" + m.group(2));
        }
        return List.copyOf(all);
    }

    private static String changelogText() {
        try (InputStream in = PostgresLiquibase.class.getClassLoader().getResourceAsStream(CHANGELOG)) {
            if (in == null) {
                throw new DataAccessException("The changelog " + CHANGELOG + " is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DataAccessException("The changelog " + CHANGELOG + " could not be read");
        }
    }

    /** Liquibase work on a database handle. */
    private interface LiquibaseWork {
        void run(Database database) throws Exception;
    }

    private void run(String operation, LiquibaseWork work) {
        // Liquibase's console output goes to its logger; no usage data leaves the machine.
        Map<String, Object> scope = Map.of(
                Scope.Attr.resourceAccessor.name(),
                new ClassLoaderResourceAccessor(PostgresLiquibase.class.getClassLoader()),
                Scope.Attr.ui.name(),
                new LoggerUIService(),
                "liquibase.analytics.enabled",
                false);
        try (Connection connection = connection()) {
            // Waiting for another instance's migration is bounded by DB_QUERY_TIMEOUT like any statement.
            try (Statement st = connection.createStatement()) {
                st.execute("SELECT pg_advisory_lock(" + SCHEMA_LOCK + ")");
            }
            int networkTimeout = connection.getNetworkTimeout();
            try {
                // The schema change itself is not: a CREATE INDEX on a large table may run for longer,
                // silently. Both limits come back before the connection returns to the pool.
                try (Statement st = connection.createStatement()) {
                    st.execute("SET statement_timeout = 0");
                }
                connection.setNetworkTimeout(Runnable::run, 0);
                Database database =
                        DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(connection));
                // Liquibase caches "up to date" per database URL and changelog across runs; after a
                // rollback by count that cache is stale and an update would skip everything. Ask afresh.
                Scope.getCurrentScope().getSingleton(FastCheckService.class).clearCache();
                Scope.getCurrentScope()
                        .getSingleton(ChangeLogHistoryServiceFactory.class)
                        .getChangeLogService(database)
                        .reset();
                Scope.child(scope, () -> work.run(database));
            } finally {
                if (!connection.getAutoCommit()) {
                    connection.rollback();
                    connection.setAutoCommit(true);
                }
                connection.setNetworkTimeout(Runnable::run, networkTimeout);
                try (Statement st = connection.createStatement()) {
                    st.execute("RESET statement_timeout");
                    st.execute("SELECT pg_advisory_unlock(" + SCHEMA_LOCK + ")");
                }
            }
        } catch (DataAccessException e) {
            throw e;
        } catch (Exception e) {
            if (hasSqlCause(e)) {
                throw PostgresErrors.translate("schema " + operation, explain(e));
            }
            // Liquibase's own refusals (a changed checksum, a held lock) say what to do; pass their words on.
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            throw new DataAccessException("Schema " + operation + " failed: " + root.getMessage());
        }
    }

    private static boolean hasSqlCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException) {
                return true;
            }
        }
        return false;
    }
}

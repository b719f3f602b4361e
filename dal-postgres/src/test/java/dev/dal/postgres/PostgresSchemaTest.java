package dev.dal.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import dev.dal.api.DataAccessException;
import dev.dal.postgres.internal.PostgresLiquibase;
import dev.dal.postgres.internal.PostgresLiquibase.ChangeSetStatus;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Liquibase changelog against seed 004's schema, in a scratch database of its own (the
 * conformance kit shares the server's main database in the same JVM, so nothing here touches it):
 * tables, column types and defaults, keys, foreign-key delete rules, indexes by name and columns;
 * then status, rollback, re-migration, idempotence, checksums and the lock.
 */
class PostgresSchemaTest {
    private static final List<String> TABLES = List.of("users", "chat_sessions", "messages", "user_memory");
    private static final String UUID = "uuid";
    private static final String JSONB = "jsonb";
    private static final String TSTZ = "timestamp with time zone";
    private static final String INT = "integer";
    private static final String V255 = "character varying(255)";
    private static final String V50 = "character varying(50)";

    /** Seed 004's columns and types, table by table, in the seed's order. */
    private static final Map<String, Map<String, String>> SEED_COLUMNS = Map.of(
            "users",
                    ordered(
                            "id",
                            UUID,
                            "clerk_id",
                            V255,
                            "email",
                            V255,
                            "name",
                            V255,
                            "profile",
                            JSONB,
                            "preferences",
                            JSONB,
                            "created_at",
                            TSTZ,
                            "updated_at",
                            TSTZ,
                            "last_active_at",
                            TSTZ,
                            "status",
                            V50),
            "chat_sessions",
                    ordered(
                            "id",
                            UUID,
                            "chat_id",
                            V255,
                            "user_id",
                            UUID,
                            "title",
                            V255,
                            "profile",
                            V50,
                            "metadata",
                            JSONB,
                            "created_at",
                            TSTZ,
                            "updated_at",
                            TSTZ,
                            "last_message_at",
                            TSTZ,
                            "message_count",
                            INT,
                            "status",
                            V50),
            "messages",
                    ordered(
                            "id",
                            UUID,
                            "chat_session_id",
                            UUID,
                            "role",
                            V50,
                            "content",
                            "text",
                            "metadata",
                            JSONB,
                            "created_at",
                            TSTZ,
                            "sequence_number",
                            INT,
                            "token_count",
                            INT,
                            "abuse_flagged",
                            "boolean"),
            "user_memory",
                    ordered(
                            "id",
                            UUID,
                            "user_id",
                            UUID,
                            "memory_type",
                            "character varying(100)",
                            "key",
                            V255,
                            "value",
                            JSONB,
                            "created_at",
                            TSTZ,
                            "updated_at",
                            TSTZ,
                            "expires_at",
                            TSTZ));

    /** Seed 004's column defaults, as PostgreSQL prints them. */
    private static final Map<String, String> SEED_DEFAULTS = ordered(
            "users.id",
            "gen_random_uuid()",
            "users.profile",
            "'{}'::jsonb",
            "users.preferences",
            "'{}'::jsonb",
            "users.created_at",
            "now()",
            "users.updated_at",
            "now()",
            "users.status",
            "'active'::character varying",
            "chat_sessions.id",
            "gen_random_uuid()",
            "chat_sessions.profile",
            "'general'::character varying",
            "chat_sessions.metadata",
            "'{}'::jsonb",
            "chat_sessions.created_at",
            "now()",
            "chat_sessions.updated_at",
            "now()",
            "chat_sessions.message_count",
            "0",
            "chat_sessions.status",
            "'active'::character varying",
            "messages.id",
            "gen_random_uuid()",
            "messages.metadata",
            "'{}'::jsonb",
            "messages.created_at",
            "now()",
            "messages.abuse_flagged",
            "false",
            "user_memory.id",
            "gen_random_uuid()",
            "user_memory.created_at",
            "now()",
            "user_memory.updated_at",
            "now()");

    /** Columns seed 004 declares NOT NULL (the changelog may add more, never fewer). */
    private static final List<String> SEED_NOT_NULL = List.of(
            "users.id",
            "chat_sessions.id",
            "chat_sessions.chat_id",
            "messages.id",
            "messages.chat_session_id",
            "messages.role",
            "messages.content",
            "messages.sequence_number",
            "user_memory.id",
            "user_memory.user_id",
            "user_memory.memory_type",
            "user_memory.key",
            "user_memory.value");

    /** Every seed 004 index (core tables and the composite ones): name to "table(columns)". */
    private static final Map<String, String> SEED_INDEXES = ordered(
            "idx_users_clerk_id", "users(clerk_id)",
            "idx_users_email", "users(email)",
            "idx_users_status", "users(status)",
            "idx_chat_sessions_chat_id", "chat_sessions(chat_id)",
            "idx_chat_sessions_user_id", "chat_sessions(user_id)",
            "idx_chat_sessions_profile", "chat_sessions(profile)",
            "idx_chat_sessions_status", "chat_sessions(status)",
            "idx_chat_sessions_last_message", "chat_sessions(last_message_at)",
            "idx_chat_sessions_user_recent", "chat_sessions(user_id, last_message_at DESC)",
            "idx_messages_chat_session", "messages(chat_session_id)",
            "idx_messages_role", "messages(role)",
            "idx_messages_sequence", "messages(chat_session_id, sequence_number)",
            "idx_messages_created_at", "messages(created_at)",
            "idx_messages_abuse_flagged", "messages(abuse_flagged)",
            "idx_messages_chat_recent", "messages(chat_session_id, created_at DESC)",
            "idx_user_memory_user_id", "user_memory(user_id)",
            "idx_user_memory_type", "user_memory(memory_type)",
            "idx_user_memory_expires", "user_memory(expires_at)",
            "idx_user_memory_lookup", "user_memory(user_id, memory_type, key)");

    private static final List<String> CHANGESETS = List.of(
            "001-users",
            "002-chat-sessions",
            "003-messages",
            "004-user-memory",
            "005-record-versions",
            "006-message-digests",
            "007-session-listing-filters",
            "008-message-search",
            "009-message-search-config",
            "010-message-votes",
            "011-token-usage");
    private static final List<String> DIGEST_COLUMNS = List.of("digest_1", "digest_2", "digest_3", "digest_4");
    private static final List<String> TOMBSTONE_TABLES =
            List.of("user_tombstones", "session_tombstones", "memory_tombstones");
    private static final Pattern INDEX_COLUMNS = Pattern.compile("USING (\\w+) \\((.*)\\)");

    private static PostgresTarget target;
    private static String database;
    private static DataSource dataSource;
    private static PostgresLiquibase schema;

    @BeforeAll
    static void createDatabase() throws SQLException {
        target = PostgresTarget.get();
        database = target.createDatabase("dal_schema_test");
        dataSource = target.dataSource(database);
        schema = new PostgresLiquibase(dataSource);
        schema.migrate();
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        if (database != null) {
            target.dropDatabase(database);
        }
    }

    @Test
    void tablesAndColumnsMatchSeed004() throws SQLException {
        Map<String, Map<String, String>> actual = new TreeMap<>();
        query(
                "SELECT table_name, column_name, data_type, character_maximum_length FROM information_schema.columns "
                        + "WHERE table_schema = 'public' AND table_name IN ('users', 'chat_sessions', 'messages', 'user_memory') "
                        + "ORDER BY table_name, ordinal_position",
                rs -> {
                    String type = rs.getString(3);
                    int length = rs.getInt(4);
                    if (!rs.wasNull()) {
                        type += "(" + length + ")";
                    }
                    // 005 adds version columns, 006 the message digest columns; both checked on their own below.
                    if (!"version".equals(rs.getString(2)) && !DIGEST_COLUMNS.contains(rs.getString(2))) {
                        actual.computeIfAbsent(rs.getString(1), k -> new LinkedHashMap<>())
                                .put(rs.getString(2), type);
                    }
                });
        assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(TABLES);
        SoftAssertions soft = new SoftAssertions();
        for (String table : TABLES) {
            soft.assertThat(actual.get(table))
                    .as("columns of %s (name -> type)", table)
                    .containsExactlyEntriesOf(SEED_COLUMNS.get(table));
        }
        soft.assertAll();
    }

    @Test
    void defaultsAndNotNullMatchSeed004() throws SQLException {
        Map<String, String> defaults = new TreeMap<>();
        Set<String> notNull = new TreeSet<>();
        query(
                "SELECT table_name, column_name, column_default, is_nullable FROM information_schema.columns "
                        + "WHERE table_schema = 'public' AND table_name IN ('users', 'chat_sessions', 'messages', 'user_memory')",
                rs -> {
                    String column = rs.getString(1) + "." + rs.getString(2);
                    if (rs.getString(3) != null) {
                        defaults.put(column, rs.getString(3));
                    }
                    if ("NO".equals(rs.getString(4))) {
                        notNull.add(column);
                    }
                });
        assertThat(defaults).as("column defaults").containsAllEntriesOf(SEED_DEFAULTS);
        assertThat(notNull).as("NOT NULL columns").containsAll(SEED_NOT_NULL);
    }

    @Test
    void primaryAndUniqueKeysMatchSeed004() throws SQLException {
        List<String> keys = new ArrayList<>();
        query(
                "SELECT c.contype, c.conrelid::regclass::text, "
                        + "(SELECT string_agg(a.attname, ', ' ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord) "
                        + " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) "
                        + "FROM pg_constraint c WHERE c.connamespace = 'public'::regnamespace AND c.contype IN ('p', 'u') "
                        + "AND c.conrelid::regclass::text IN ('users', 'chat_sessions', 'messages', 'user_memory')",
                rs -> keys.add(("p".equals(rs.getString(1)) ? "PRIMARY KEY " : "UNIQUE ") + rs.getString(2) + "("
                        + rs.getString(3) + ")"));
        assertThat(keys)
                .containsExactlyInAnyOrder(
                        "PRIMARY KEY users(id)",
                        "PRIMARY KEY chat_sessions(id)",
                        "PRIMARY KEY messages(id)",
                        "PRIMARY KEY user_memory(id)",
                        "UNIQUE users(clerk_id)",
                        "UNIQUE chat_sessions(chat_id)",
                        "UNIQUE user_memory(user_id, memory_type, key)");
    }

    @Test
    void foreignKeysHaveSeed004DeleteRules() throws SQLException {
        List<String> fromCatalog = new ArrayList<>();
        query(
                "SELECT c.conrelid::regclass::text, "
                        + "(SELECT string_agg(a.attname, ', ' ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord) "
                        + " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum), "
                        + "c.confrelid::regclass::text, "
                        + "(SELECT string_agg(a.attname, ', ' ORDER BY k.ord) FROM unnest(c.confkey) WITH ORDINALITY k(attnum, ord) "
                        + " JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum), c.confdeltype "
                        + "FROM pg_constraint c WHERE c.connamespace = 'public'::regnamespace AND c.contype = 'f'",
                rs -> fromCatalog.add(rs.getString(1) + "(" + rs.getString(2) + ") -> " + rs.getString(3) + "("
                        + rs.getString(4) + ") ON DELETE "
                        + switch (rs.getString(5)) {
                            case "n" -> "SET NULL";
                            case "c" -> "CASCADE";
                            case "a" -> "NO ACTION";
                            case "r" -> "RESTRICT";
                            case "d" -> "SET DEFAULT";
                            default -> "?" + rs.getString(5);
                        }));
        assertThat(fromCatalog)
                .containsExactlyInAnyOrder(
                        "chat_sessions(user_id) -> users(id) ON DELETE SET NULL",
                        "messages(chat_session_id) -> chat_sessions(id) ON DELETE CASCADE",
                        "user_memory(user_id) -> users(id) ON DELETE CASCADE",
                        "message_votes(message_id) -> messages(id) ON DELETE CASCADE",
                        "message_votes(user_id) -> users(id) ON DELETE CASCADE",
                        "token_usage(message_id) -> messages(id) ON DELETE CASCADE",
                        "token_usage(session_id) -> chat_sessions(id) ON DELETE CASCADE",
                        "token_usage(user_id) -> users(id) ON DELETE CASCADE");

        // The standard view says the same.
        Map<String, String> rules = new TreeMap<>();
        query(
                "SELECT kcu.table_name || '.' || kcu.column_name, rc.delete_rule "
                        + "FROM information_schema.referential_constraints rc JOIN information_schema.key_column_usage kcu "
                        + "ON kcu.constraint_name = rc.constraint_name AND kcu.constraint_schema = rc.constraint_schema "
                        + "WHERE rc.constraint_schema = 'public'",
                rs -> rules.put(rs.getString(1), rs.getString(2)));
        assertThat(rules)
                .containsOnly(
                        entry("chat_sessions.user_id", "SET NULL"),
                        entry("messages.chat_session_id", "CASCADE"),
                        entry("user_memory.user_id", "CASCADE"),
                        entry("message_votes.message_id", "CASCADE"),
                        entry("message_votes.user_id", "CASCADE"),
                        entry("token_usage.message_id", "CASCADE"),
                        entry("token_usage.session_id", "CASCADE"),
                        entry("token_usage.user_id", "CASCADE"));
    }

    @Test
    void everySeed004IndexExistsWithItsColumns() throws SQLException {
        Map<String, String> byName = new TreeMap<>();
        Map<String, String> methods = new TreeMap<>();
        query("SELECT indexname, tablename, indexdef FROM pg_indexes WHERE schemaname = 'public'", rs -> {
            Matcher m = INDEX_COLUMNS.matcher(rs.getString(3));
            assertThat(m.find()).as("index definition %s", rs.getString(3)).isTrue();
            byName.put(rs.getString(1), rs.getString(2) + "(" + m.group(2).replace("\"", "") + ")");
            methods.put(rs.getString(1), m.group(1));
        });
        SoftAssertions soft = new SoftAssertions();
        SEED_INDEXES.forEach((name, definition) -> {
            soft.assertThat(byName).as("an index on %s", definition).containsValue(definition);
            soft.assertThat(byName.get(name)).as("index %s", name).isEqualTo(definition);
            soft.assertThat(methods.get(name)).as("access method of %s", name).isEqualTo("btree");
        });
        soft.assertAll();
    }

    /** 005-record-versions: a version on users, sessions and memory, and one tombstone table per kind. */
    @Test
    void recordVersionsAndTombstoneTablesExist() throws SQLException {
        Map<String, String> versions = new TreeMap<>();
        query(
                "SELECT table_name, data_type, is_nullable, column_default FROM information_schema.columns "
                        + "WHERE table_schema = 'public' AND column_name = 'version' AND table_name IN "
                        + "('users', 'chat_sessions', 'messages', 'user_memory')",
                rs -> versions.put(rs.getString(1), rs.getString(2) + " " + rs.getString(3) + " " + rs.getString(4)));
        assertThat(versions)
                .containsOnly(
                        entry("chat_sessions", "bigint NO 1"),
                        entry("user_memory", "bigint NO 1"),
                        entry("users", "bigint NO 1"));

        Map<String, Map<String, String>> columns = new TreeMap<>();
        query(
                "SELECT table_name, column_name, data_type, is_nullable, collation_name FROM information_schema.columns "
                        + "WHERE table_schema = 'public' AND table_name IN ('user_tombstones', 'session_tombstones', "
                        + "'memory_tombstones') ORDER BY table_name, ordinal_position",
                rs -> columns.computeIfAbsent(rs.getString(1), k -> new LinkedHashMap<>())
                        .put(
                                rs.getString(2),
                                rs.getString(3) + " " + rs.getString(4)
                                        + (rs.getString(5) == null ? "" : " " + rs.getString(5))));
        assertThat(columns)
                .containsOnly(
                        entry(
                                "user_tombstones",
                                PostgresSchemaTest.<String>ordered("id", "uuid NO", "version", "bigint NO")),
                        entry(
                                "session_tombstones",
                                PostgresSchemaTest.<String>ordered(
                                        "chat_id",
                                        "character varying NO",
                                        "session_id",
                                        "uuid NO",
                                        "version",
                                        "bigint NO")),
                        entry(
                                "memory_tombstones",
                                PostgresSchemaTest.<String>ordered(
                                        "user_id",
                                        "uuid NO",
                                        "memory_type",
                                        "character varying NO C",
                                        "key",
                                        "character varying NO C",
                                        "version",
                                        "bigint NO")));

        List<String> keys = new ArrayList<>();
        query(
                "SELECT c.conrelid::regclass::text, (SELECT string_agg(a.attname, ', ' ORDER BY k.ord) "
                        + "FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord) JOIN pg_attribute a ON a.attrelid = c.conrelid "
                        + "AND a.attnum = k.attnum) FROM pg_constraint c WHERE c.connamespace = 'public'::regnamespace "
                        + "AND c.contype = 'p' AND c.conrelid::regclass::text LIKE '%_tombstones'",
                rs -> keys.add(rs.getString(1) + "(" + rs.getString(2) + ")"));
        assertThat(keys)
                .containsExactlyInAnyOrder(
                        "user_tombstones(id)",
                        "session_tombstones(chat_id)",
                        "memory_tombstones(user_id, memory_type, key)");
        query(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'idx_session_tombstones_session_id'",
                rs -> assertThat(rs.getString(1)).contains("session_tombstones USING btree (session_id)"));
    }

    @Test
    void statusListsEveryAppliedChangesetWithItsChecksum() throws SQLException {
        assertThat(schema.status())
                .containsExactly(
                        new ChangeSetStatus("001-users", "dal", true),
                        new ChangeSetStatus("002-chat-sessions", "dal", true),
                        new ChangeSetStatus("003-messages", "dal", true),
                        new ChangeSetStatus("004-user-memory", "dal", true),
                        new ChangeSetStatus("005-record-versions", "dal", true),
                        new ChangeSetStatus("006-message-digests", "dal", true),
                        new ChangeSetStatus("007-session-listing-filters", "dal", true),
                        new ChangeSetStatus("008-message-search", "dal", true),
                        new ChangeSetStatus("009-message-search-config", "dal", true),
                        new ChangeSetStatus("010-message-votes", "dal", true),
                        new ChangeSetStatus("011-token-usage", "dal", true));
        List<String> recorded = new ArrayList<>();
        query("SELECT id, author, md5sum, exectype FROM databasechangelog ORDER BY orderexecuted", rs -> {
            assertThat(rs.getString(3))
                    .as("checksum of %s", rs.getString(1))
                    .isNotNull()
                    .matches("\\d+:[0-9a-f]{32}");
            // 009 runs only when the index is not built for DB_SEARCH_CONFIG; on a fresh database 008 built it.
            assertThat(rs.getString(4))
                    .as("exectype of %s", rs.getString(1))
                    .isEqualTo(rs.getString(1).equals("009-message-search-config") ? "MARK_RAN" : "EXECUTED");
            recorded.add(rs.getString(2) + ":" + rs.getString(1));
        });
        assertThat(recorded)
                .containsExactly(
                        "dal:001-users",
                        "dal:002-chat-sessions",
                        "dal:003-messages",
                        "dal:004-user-memory",
                        "dal:005-record-versions",
                        "dal:006-message-digests",
                        "dal:007-session-listing-filters",
                        "dal:008-message-search",
                        "dal:009-message-search-config",
                        "dal:010-message-votes",
                        "dal:011-token-usage");
        query(
                "SELECT count(*) FROM databasechangeloglock WHERE locked",
                rs -> assertThat(rs.getInt(1))
                        .as("Liquibase's lock is released after migrate")
                        .isZero());
    }

    @Test
    void secondMigrateIsANoOp() throws SQLException {
        List<String> before = changelogRows();
        schema.migrate();
        schema.migrate();
        assertThat(changelogRows()).hasSize(CHANGESETS.size()).isEqualTo(before);
        assertThat(schema.status()).allMatch(ChangeSetStatus::applied);
    }

    /**
     * 005-record-versions on a database holding records: each gets version 1; its rollback removes the
     * columns and the tombstone tables, keeping the records; migrating again gives them version 1 again.
     */
    @Test
    void rollingRecordVersionsBackAndForthKeepsTheRecordsAtVersionOne() throws SQLException {
        try {
            schema.rollback(7);
            assertThat(schema.status())
                    .extracting(ChangeSetStatus::applied)
                    .containsExactly(true, true, true, true, false, false, false, false, false, false, false);
            for (String table : TOMBSTONE_TABLES) {
                assertThat(tableExists(table)).as("%s after rollback(7)", table).isFalse();
            }
            query(
                    "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public' "
                            + "AND column_name = 'version'",
                    rs -> assertThat(rs.getInt(1)).as("version columns").isZero());
            // Records written by the previous version of Dal, without versions.
            execute("INSERT INTO users (id, clerk_id) VALUES ('00000000-0000-0000-0000-0000000000a1', 'old-user')");
            execute("INSERT INTO chat_sessions (id, chat_id, user_id) VALUES ('00000000-0000-0000-0000-0000000000b1', "
                    + "'old-chat', '00000000-0000-0000-0000-0000000000a1')");
            execute("INSERT INTO user_memory (user_id, memory_type, key, value) VALUES "
                    + "('00000000-0000-0000-0000-0000000000a1', 'context', 'k', '1')");

            schema.migrate();
            query(
                    "SELECT (SELECT version FROM users WHERE clerk_id = 'old-user'), "
                            + "(SELECT version FROM chat_sessions WHERE chat_id = 'old-chat'), "
                            + "(SELECT version FROM user_memory WHERE key = 'k')",
                    rs -> {
                        assertThat(rs.getLong(1)).as("user").isEqualTo(1);
                        assertThat(rs.getLong(2)).as("session").isEqualTo(1);
                        assertThat(rs.getLong(3)).as("memory").isEqualTo(1);
                    });
            execute("INSERT INTO user_tombstones (id, version) VALUES ('00000000-0000-0000-0000-0000000000a2', 3)");

            schema.rollback(7);
            assertThat(tableExists("user_tombstones")).isFalse();
            query(
                    "SELECT count(*) FROM users WHERE clerk_id = 'old-user'",
                    rs -> assertThat(rs.getInt(1))
                            .as("records survive the rollback")
                            .isEqualTo(1));
        } finally {
            schema.migrate();
            execute("DELETE FROM users WHERE clerk_id = 'old-user'");
        }
        assertThat(schema.status()).allMatch(ChangeSetStatus::applied);
        for (String table : TOMBSTONE_TABLES) {
            assertThat(tableExists(table)).as("%s after migrating again", table).isTrue();
        }
    }

    /**
     * 006-message-digests: four nullable integer lanes on messages and the trigger that forgets a stale hash; its
     * rollback removes them and keeps the messages, and migrating again leaves the older rows without a hash.
     */
    @Test
    void messageDigestColumnsComeAndGoWithTheirChangesetKeepingTheMessages() throws SQLException {
        String digestColumns = "SELECT string_agg(column_name || ' ' || data_type || ' ' || is_nullable, ', ' "
                + "ORDER BY column_name) FROM information_schema.columns WHERE table_schema = 'public' "
                + "AND table_name = 'messages' AND column_name LIKE 'digest\\_%'";
        String trigger = "SELECT count(*) FROM pg_trigger WHERE tgname = 'messages_stale_digest'";
        assertThat(singleString(digestColumns))
                .isEqualTo("digest_1 integer YES, digest_2 integer YES, digest_3 integer YES, digest_4 integer YES");
        assertThat(singleString(trigger)).isEqualTo("1");
        try {
            schema.rollback(6);
            assertThat(singleString(digestColumns))
                    .as("digest columns after rollback(6)")
                    .isNull();
            assertThat(singleString(trigger)).as("trigger after rollback(6)").isEqualTo("0");
            assertThat(singleString("SELECT count(*) FROM pg_proc WHERE proname = 'dal_forget_stale_message_digest'"))
                    .as("trigger function after rollback(6)")
                    .isEqualTo("0");
            // A message written by the previous version of Dal, without a hash.
            execute("INSERT INTO users (id, clerk_id) VALUES ('00000000-0000-0000-0000-0000000000c1', 'digest-user')");
            execute("INSERT INTO chat_sessions (id, chat_id, user_id) VALUES ('00000000-0000-0000-0000-0000000000c2', "
                    + "'digest-chat', '00000000-0000-0000-0000-0000000000c1')");
            execute("INSERT INTO messages (chat_session_id, role, content, sequence_number) VALUES "
                    + "('00000000-0000-0000-0000-0000000000c2', 'user', 'before digests', 1)");

            schema.migrate();
            assertThat(singleString("SELECT content || ' ' || (digest_1 IS NULL) FROM messages "
                            + "WHERE chat_session_id = '00000000-0000-0000-0000-0000000000c2'"))
                    .isEqualTo("before digests true");
        } finally {
            schema.migrate();
            execute("DELETE FROM users WHERE clerk_id = 'digest-user'");
        }
        assertThat(schema.status()).allMatch(ChangeSetStatus::applied);
    }

    /**
     * 007-session-listing-filters: the two listing indexes, in listing order; the filtered listing reads them
     * (no sort of the user's sessions); the rollback drops them and keeps the sessions.
     */
    @Test
    void sessionListingIndexesComeAndGoWithTheirChangeset() throws SQLException {
        String listingIndexes =
                "SELECT string_agg(indexname || ' ' || substring(indexdef from 'USING btree \\((.*)\\)'), "
                        + "'; ' ORDER BY indexname) FROM pg_indexes WHERE tablename = 'chat_sessions' "
                        + "AND indexname IN ('idx_chat_sessions_user_status_activity', 'idx_chat_sessions_user_profile_activity')";
        assertThat(singleString(listingIndexes))
                .isEqualTo(
                        "idx_chat_sessions_user_profile_activity user_id, profile, COALESCE(last_message_at, created_at)"
                                + " DESC, id DESC; idx_chat_sessions_user_status_activity user_id, status, "
                                + "COALESCE(last_message_at, created_at) DESC, id DESC");
        try {
            schema.rollback(5);
            assertThat(singleString(listingIndexes))
                    .as("listing indexes after rollback(5)")
                    .isNull();
            execute("INSERT INTO users (id, clerk_id) VALUES ('00000000-0000-0000-0000-0000000000d1', 'listing-user')");
            execute("INSERT INTO chat_sessions (id, chat_id, user_id, profile) VALUES "
                    + "('00000000-0000-0000-0000-0000000000d2', 'listing-chat', "
                    + "'00000000-0000-0000-0000-0000000000d1', 'sql')");

            schema.migrate();
            assertThat(singleString(listingIndexes))
                    .as("listing indexes after migrating again")
                    .isNotNull();
            assertThat(singleString("SELECT chat_id || ' ' || status || ' ' || profile FROM chat_sessions "
                            + "WHERE user_id = '00000000-0000-0000-0000-0000000000d1'"))
                    .isEqualTo("listing-chat active sql");
        } finally {
            schema.migrate();
            execute("DELETE FROM users WHERE clerk_id = 'listing-user'");
        }
        assertThat(schema.status()).allMatch(ChangeSetStatus::applied);
    }

    /**
     * 008-message-search: seed 004's GIN index on the message content's tsvector, with the configuration the
     * search statement names; its rollback drops it and keeps the messages.
     */
    @Test
    void messageSearchIndexComesAndGoesWithItsChangeset() throws SQLException {
        String index = "SELECT indexdef FROM pg_indexes WHERE indexname = 'idx_messages_content_fts'";
        assertThat(singleString(index))
                .isEqualTo("CREATE INDEX idx_messages_content_fts ON public.messages USING gin "
                        + "(to_tsvector('simple'::regconfig, regexp_replace(content, '[^[:alnum:]\\u0300-\\u036f]+'::text, "
                        + "' '::text, 'g'::text)))");
        try {
            schema.rollback(3); // 011, 010, then 009
            assertThat(singleString(index))
                    .as("009's rollback builds the simple index of 008 again")
                    .contains("'simple'::regconfig");
            schema.rollback(1);
            assertThat(singleString("SELECT count(*) FROM pg_indexes WHERE indexname = 'idx_messages_content_fts'"))
                    .as("search index after rolling back 008")
                    .isEqualTo("0");
            assertThat(tableExists("messages")).isTrue();
        } finally {
            schema.migrate();
        }
        assertThat(singleString(index)).as("search index after migrating again").isNotNull();
        assertThat(schema.status()).allMatch(ChangeSetStatus::applied);
    }

    /**
     * 010-message-votes: one row per message and user, the verdict checked, cascading with the message and the
     * user, indexed by user; its rollback drops the table and keeps the messages, and migrating again starts
     * every message without votes.
     */
    @Test
    void messageVotesComeAndGoWithTheirChangeset() throws SQLException {
        String columns = "SELECT string_agg(column_name || ' ' || data_type || ' ' || is_nullable, ', ' "
                + "ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = 'public' "
                + "AND table_name = 'message_votes'";
        assertThat(singleString(columns))
                .isEqualTo("message_id uuid NO, user_id uuid NO, vote text NO, voted_at " + TSTZ + " NO");
        assertThat(singleString("SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                        + "WHERE conrelid = 'message_votes'::regclass AND contype = 'p'"))
                .isEqualTo("PRIMARY KEY (message_id, user_id)");
        assertThat(singleString("SELECT indexdef FROM pg_indexes WHERE indexname = 'idx_message_votes_user_id'"))
                .contains("message_votes USING btree (user_id)");
        String user = "'00000000-0000-0000-0000-0000000000e1'";
        String message = "'00000000-0000-0000-0000-0000000000e3'";
        try {
            execute("INSERT INTO users (id, clerk_id) VALUES (" + user + ", 'vote-user')");
            execute("INSERT INTO chat_sessions (id, chat_id, user_id) VALUES ('00000000-0000-0000-0000-0000000000e2', "
                    + "'vote-chat', " + user + ")");
            execute("INSERT INTO messages (id, chat_session_id, role, content, sequence_number) VALUES (" + message
                    + ", '00000000-0000-0000-0000-0000000000e2', 'user', 'voted on', 1)");
            execute("INSERT INTO message_votes (message_id, user_id, vote, voted_at) VALUES (" + message + ", " + user
                    + ", 'up', now())");
            assertThatThrownBy(() -> execute("INSERT INTO message_votes (message_id, user_id, vote, voted_at) VALUES ("
                            + message + ", " + user + ", 'up', now())"))
                    .as("a second row for the same message and user")
                    .isInstanceOf(SQLException.class)
                    .hasFieldOrPropertyWithValue("SQLState", "23505");
            execute("DELETE FROM message_votes");
            assertThatThrownBy(() -> execute("INSERT INTO message_votes (message_id, user_id, vote, voted_at) VALUES ("
                            + message + ", " + user + ", 'sideways', now())"))
                    .as("a verdict that is neither up nor down")
                    .isInstanceOf(SQLException.class)
                    .hasFieldOrPropertyWithValue("SQLState", "23514");
            execute("INSERT INTO message_votes (message_id, user_id, vote, voted_at) VALUES (" + message + ", " + user
                    + ", 'down', now())");

            schema.rollback(2); // 011, then 010
            assertThat(tableExists("message_votes"))
                    .as("message_votes after rollback(2)")
                    .isFalse();
            assertThat(singleString("SELECT content FROM messages WHERE id = " + message))
                    .isEqualTo("voted on");

            schema.migrate();
            assertThat(singleString("SELECT count(*) FROM message_votes"))
                    .as("votes after migrating again")
                    .isEqualTo("0");
        } finally {
            schema.migrate();
            execute("DELETE FROM users WHERE clerk_id = 'vote-user'");
            execute("DELETE FROM chat_sessions WHERE chat_id = 'vote-chat'");
        }
        assertThat(schema.status()).allMatch(ChangeSetStatus::applied);
    }

    /**
     * 011-token-usage: one row per record under its own id, naming its message, session and user and cascading
     * with each, a cost only with its currency, the model in code-point order, indexed for totals by user,
     * session, model and time; its rollback drops the table and keeps the messages, and migrating again starts
     * without usage.
     */
    @Test
    void tokenUsageComesAndGoesWithItsChangeset() throws SQLException {
        String columns = "SELECT string_agg(column_name || ' ' || data_type || ' ' || is_nullable "
                + "|| COALESCE(' ' || collation_name, ''), ', ' ORDER BY ordinal_position) "
                + "FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'token_usage'";
        assertThat(singleString(columns))
                .isEqualTo("id uuid NO, message_id uuid NO, session_id uuid NO, sequence_number bigint NO, "
                        + "user_id uuid NO, model text NO C, prompt_tokens bigint NO, completion_tokens bigint NO, "
                        + "cost_micros bigint YES, currency text YES C, created_at " + TSTZ + " NO");
        assertThat(singleString("SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                        + "WHERE conrelid = 'token_usage'::regclass AND contype = 'p'"))
                .isEqualTo("PRIMARY KEY (id)");
        Map<String, String> indexes = new TreeMap<>();
        query(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'token_usage' AND indexname LIKE 'idx_%'",
                rs -> indexes.put(rs.getString(1), rs.getString(2).replaceAll(".* USING ", "")));
        assertThat(indexes)
                .containsOnly(
                        entry("idx_token_usage_user_created", "btree (user_id, created_at)"),
                        entry("idx_token_usage_session_created", "btree (session_id, created_at)"),
                        entry("idx_token_usage_model_created", "btree (model, created_at)"),
                        entry("idx_token_usage_created", "btree (created_at)"),
                        entry("idx_token_usage_message_id", "btree (message_id)"));
        String user = "'00000000-0000-0000-0000-0000000000f1'";
        String session = "'00000000-0000-0000-0000-0000000000f2'";
        String message = "'00000000-0000-0000-0000-0000000000f3'";
        String insert = "INSERT INTO token_usage (id, message_id, session_id, sequence_number, user_id, model, "
                + "prompt_tokens, completion_tokens, cost_micros, currency, created_at) VALUES (";
        String refs = ", " + message + ", " + session + ", 1, " + user + ", 'gpt-4o', ";
        try {
            execute("INSERT INTO users (id, clerk_id) VALUES (" + user + ", 'usage-user')");
            execute("INSERT INTO chat_sessions (id, chat_id, user_id) VALUES (" + session + ", 'usage-chat', " + user
                    + ")");
            execute("INSERT INTO messages (id, chat_session_id, role, content, sequence_number) VALUES (" + message
                    + ", " + session + ", 'assistant', 'counted', 1)");
            execute(insert + "'00000000-0000-0000-0000-0000000000f4'" + refs + "10, 5, 100, 'USD', now())");
            execute(insert + "'00000000-0000-0000-0000-0000000000f5'" + refs + "10, 5, NULL, NULL, now())");
            assertThatThrownBy(() -> execute(
                            insert + "'00000000-0000-0000-0000-0000000000f6'" + refs + "10, 5, 100, NULL, now())"))
                    .as("a cost without its currency")
                    .isInstanceOf(SQLException.class)
                    .hasFieldOrPropertyWithValue("SQLState", "23514");
            assertThatThrownBy(() -> execute(
                            insert + "'00000000-0000-0000-0000-0000000000f6'" + refs + "-1, 5, NULL, NULL, now())"))
                    .as("negative tokens")
                    .isInstanceOf(SQLException.class)
                    .hasFieldOrPropertyWithValue("SQLState", "23514");

            schema.rollback(1);
            assertThat(tableExists("token_usage"))
                    .as("token_usage after rollback(1)")
                    .isFalse();
            assertThat(singleString("SELECT content FROM messages WHERE id = " + message))
                    .isEqualTo("counted");

            schema.migrate();
            assertThat(singleString("SELECT count(*) FROM token_usage"))
                    .as("usage after migrating again")
                    .isEqualTo("0");
            execute(insert + "'00000000-0000-0000-0000-0000000000f7'" + refs + "10, 5, NULL, NULL, now())");
            execute("DELETE FROM chat_sessions WHERE chat_id = 'usage-chat'");
            assertThat(singleString("SELECT count(*) FROM token_usage"))
                    .as("usage after its session is deleted")
                    .isEqualTo("0");
        } finally {
            schema.migrate();
            execute("DELETE FROM chat_sessions WHERE chat_id = 'usage-chat'");
            execute("DELETE FROM users WHERE clerk_id = 'usage-user'");
        }
        assertThat(schema.status()).allMatch(ChangeSetStatus::applied);
    }

    @Test
    void rollbackEightDropsUserMemoryAndMigrateRestoresIt() throws SQLException {
        List<String> before = checksums();
        try {
            schema.rollback(8);
            assertThat(tableExists("user_memory"))
                    .as("user_memory after rollback(8)")
                    .isFalse();
            assertThat(tableExists("memory_tombstones"))
                    .as("memory_tombstones after rollback(8)")
                    .isFalse();
            assertThat(tableExists("messages")).as("messages after rollback(8)").isTrue();
            assertThat(schema.status())
                    .containsExactly(
                            new ChangeSetStatus("001-users", "dal", true),
                            new ChangeSetStatus("002-chat-sessions", "dal", true),
                            new ChangeSetStatus("003-messages", "dal", true),
                            new ChangeSetStatus("004-user-memory", "dal", false),
                            new ChangeSetStatus("005-record-versions", "dal", false),
                            new ChangeSetStatus("006-message-digests", "dal", false),
                            new ChangeSetStatus("007-session-listing-filters", "dal", false),
                            new ChangeSetStatus("008-message-search", "dal", false),
                            new ChangeSetStatus("009-message-search-config", "dal", false),
                            new ChangeSetStatus("010-message-votes", "dal", false),
                            new ChangeSetStatus("011-token-usage", "dal", false));
            query(
                    "SELECT count(*) FROM databasechangelog",
                    rs -> assertThat(rs.getInt(1)).isEqualTo(3));
        } finally {
            schema.migrate();
        }
        assertThat(tableExists("user_memory"))
                .as("user_memory after migrating again")
                .isTrue();
        assertThat(schema.status()).extracting(ChangeSetStatus::id).containsExactlyElementsOf(CHANGESETS);
        assertThat(schema.status()).allMatch(ChangeSetStatus::applied);
        assertThat(checksums()).as("checksums after re-applying").isEqualTo(before);
        // Restored with its constraints and indexes, not only the table.
        query(
                "SELECT count(*) FROM pg_indexes WHERE tablename = 'user_memory' AND indexname LIKE 'idx_user_memory_%'",
                rs -> assertThat(rs.getInt(1)).isEqualTo(4));
        query(
                "SELECT confdeltype FROM pg_constraint WHERE conrelid = 'user_memory'::regclass AND contype = 'f'",
                rs -> assertThat(rs.getString(1)).isEqualTo("c"));
    }

    @Test
    void aTamperedChecksumStopsMigrate() throws SQLException {
        String original = singleString("SELECT md5sum FROM databasechangelog WHERE id = '002-chat-sessions'");
        execute("UPDATE databasechangelog SET md5sum = '9:00000000000000000000000000000000' "
                + "WHERE id = '002-chat-sessions'");
        try {
            List<String> before = changelogRows();
            // The refusal names the changeset whose checksum changed, so an operator knows where to look.
            assertThatThrownBy(schema::migrate)
                    .isInstanceOf(DataAccessException.class)
                    .hasMessageContaining("002-chat-sessions")
                    .satisfies(PostgresTarget::assertNoDriverLeak);
            assertThat(changelogRows()).as("nothing ran").isEqualTo(before);
            assertThat(tableExists("chat_sessions")).isTrue();
        } finally {
            execute("UPDATE databasechangelog SET md5sum = '" + original + "' WHERE id = '002-chat-sessions'");
        }
        schema.migrate();
        assertThat(schema.status()).allMatch(ChangeSetStatus::applied);
    }

    /**
     * Two instances opening with {@code DB_AUTO_MIGRATE=true} on a new database at the same moment:
     * the lock must serialize them, so both succeed and every changeset runs once.
     */
    @Test
    void concurrentMigratesOnAnEmptyDatabaseSerializeOnTheLock() throws Exception {
        String fresh = target.createDatabase("dal_schema_lock_test");
        int instances = 3;
        ExecutorService pool = Executors.newFixedThreadPool(instances);
        try {
            PostgresLiquibase freshSchema = new PostgresLiquibase(target.dataSource(fresh));
            assertThat(freshSchema.status())
                    .as("status before any migration")
                    .noneMatch(ChangeSetStatus::applied)
                    .hasSize(CHANGESETS.size());
            CyclicBarrier start = new CyclicBarrier(instances);
            List<Future<Void>> runs = new ArrayList<>();
            for (int i = 0; i < instances; i++) {
                Callable<Void> migrate = () -> {
                    start.await(10, TimeUnit.SECONDS);
                    freshSchema.migrate();
                    return null;
                };
                runs.add(pool.submit(migrate));
            }
            List<String> failures = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            for (Future<Void> run : runs) {
                try {
                    run.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (ExecutionException e) {
                    failures.add(String.valueOf(e.getCause()));
                } catch (TimeoutException e) {
                    failures.add("still waiting after 15 s (for Liquibase's changelog lock?)");
                }
            }
            assertThat(failures).as("migrations that failed while another ran").isEmpty();
            assertThat(freshSchema.status()).allMatch(ChangeSetStatus::applied);
            try (Connection c = target.dataSource(fresh).getConnection();
                    Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT id) FROM databasechangelog")) {
                rs.next();
                assertThat(rs.getInt(1)).as("changesets recorded once each").isEqualTo(CHANGESETS.size());
                assertThat(rs.getInt(2)).isEqualTo(CHANGESETS.size());
            }
        } finally {
            // Dropping with FORCE ends any migration still waiting; then the threads can finish.
            target.dropDatabase(fresh);
            pool.shutdownNow();
            pool.awaitTermination(30, TimeUnit.SECONDS);
        }
    }

    // ---- helpers ----

    private interface RowCheck {
        void accept(ResultSet rs) throws SQLException;
    }

    private static void query(String sql, RowCheck check) throws SQLException {
        try (Connection c = dataSource.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            boolean any = false;
            while (rs.next()) {
                any = true;
                check.accept(rs);
            }
            assertThat(any).as("rows from %s", sql).isTrue();
        }
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = dataSource.getConnection();
                Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static String singleString(String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        query(sql, rs -> out.add(rs.getString(1)));
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    private static boolean tableExists(String table) throws SQLException {
        List<Boolean> out = new ArrayList<>();
        query("SELECT to_regclass('public." + table + "') IS NOT NULL", rs -> out.add(rs.getBoolean(1)));
        return out.get(0);
    }

    private static List<String> changelogRows() throws SQLException {
        List<String> rows = new ArrayList<>();
        query(
                "SELECT id, author, md5sum, orderexecuted, dateexecuted FROM databasechangelog ORDER BY orderexecuted",
                rs -> rows.add(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getInt(4)
                        + "|" + rs.getTimestamp(5)));
        return rows;
    }

    private static List<String> checksums() throws SQLException {
        List<String> rows = new ArrayList<>();
        query("SELECT id || '=' || md5sum FROM databasechangelog ORDER BY id", rs -> rows.add(rs.getString(1)));
        return rows;
    }

    private static <V> Map<String, V> ordered(Object... pairs) {
        Map<String, V> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            @SuppressWarnings("unchecked")
            V value = (V) pairs[i + 1];
            map.put((String) pairs[i], value);
        }
        return map;
    }
}

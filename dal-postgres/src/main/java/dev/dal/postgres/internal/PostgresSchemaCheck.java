package dev.dal.postgres.internal;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether the database holds every changeset of the changelog this code ships, by one query on
 * Liquibase's {@code databasechangelog}. A store opened with {@code DB_AUTO_MIGRATE} off refuses a
 * database that is behind (an empty one included) with {@code StoreFailures.schemaNotCurrent},
 * instead of failing every call later with "relation does not exist". The check runs at open; when
 * the server cannot be reached then, it runs on the first connection a call gets, once it passed it
 * is not repeated. It also checks that the full-text index is built for the text search configuration
 * {@code DB_SEARCH_CONFIG} names, since a search with another one could not use it.
 */
final class PostgresSchemaCheck {
    private static final List<String> EXPECTED = PostgresLiquibase.expectedChangeSets();
    private static final String UNDEFINED_TABLE = "42P01";

    private final String searchConfig;
    private volatile boolean current;

    private PostgresSchemaCheck(String searchConfig) {
        this.searchConfig = searchConfig;
    }

    /** @return a check that has already passed (the store just migrated the schema) */
    static PostgresSchemaCheck passed() {
        PostgresSchemaCheck check = new PostgresSchemaCheck(null);
        check.current = true;
        return check;
    }

    /**
     * @param searchConfig the text search configuration the full-text index must be built for
     * @return a check still to run
     */
    static PostgresSchemaCheck pending(String searchConfig) {
        return new PostgresSchemaCheck(searchConfig);
    }

    /** @return whether the check has passed */
    boolean isCurrent() {
        return current;
    }

    /**
     * Runs the check on a connection unless it already passed.
     *
     * @param connection a connection to the store's database, in autocommit mode
     * @throws SQLException when the query failed for another reason than a missing changelog table
     * @throws dev.dal.api.ConfigurationException when the schema is not current
     */
    void ensure(Connection connection) throws SQLException {
        if (current) {
            return;
        }
        String missing = missing(connection);
        if (missing == null) {
            missing = searchIndexMismatch(connection);
        }
        if (missing != null) {
            throw PostgresErrors.FAILURES.schemaNotCurrent(missing);
        }
        current = true;
    }

    /**
     * @return in words, how the full-text index differs from the one {@code DB_SEARCH_CONFIG} asks for, or
     *     {@code null} when it is built for that configuration
     */
    private String searchIndexMismatch(Connection connection) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement("SELECT indexdef FROM pg_indexes"
                + " WHERE indexname = 'idx_messages_content_fts' AND schemaname = current_schema()")) {
            try (ResultSet rs = st.executeQuery()) {
                if (rs.next() && rs.getString(1).contains("'" + searchConfig + "'::regconfig")) {
                    return null;
                }
            }
        }
        return "idx_messages_content_fts is not built for the text search configuration " + searchConfig
                + " that DB_SEARCH_CONFIG names";
    }

    /** @return what is missing, in words, or {@code null} when every changeset is applied */
    private static String missing(Connection connection) throws SQLException {
        List<String> applied = new ArrayList<>();
        try (PreparedStatement st = connection.prepareStatement(
                "SELECT author || ':' || id FROM databasechangelog WHERE author || ':' || id = ANY (?)")) {
            Array ids = connection.createArrayOf("text", EXPECTED.toArray());
            st.setArray(1, ids);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    applied.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            if (UNDEFINED_TABLE.equals(e.getSQLState())) {
                return "no schema: Liquibase's databasechangelog table does not exist";
            }
            throw e;
        }
        List<String> absent = new ArrayList<>();
        for (String id : EXPECTED) {
            if (!applied.contains(id)) {
                absent.add(id.substring(id.indexOf(':') + 1));
            }
        }
        if (absent.isEmpty()) {
            return null;
        }
        return (EXPECTED.size() - absent.size()) + " of " + EXPECTED.size() + " changesets applied; missing "
                + String.join(", ", absent);
    }
}

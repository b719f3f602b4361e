package dev.dal.postgres.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dal.api.Message;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Opens the PostgreSQL store's package-private mapping to dal-benchmarks' JMH microbenchmarks
 * ({@code dev.dal.benchmarks.jmh.MappingBenchmark}). It lives in dal-benchmarks, in the store's package name,
 * which the class path allows (Dal's modules are not JPMS modules); it only delegates, so a figure is the store's
 * own code.
 */
public final class PostgresBenchAccess {
    private PostgresBenchAccess() {}

    /**
     * @param node any JSON value
     * @return {@code PostgresJson.write}: the canonical copy, then the {@code jsonb} text
     */
    public static String writeJson(JsonNode node) {
        return PostgresJson.write(node);
    }

    /**
     * @param node a record's JSON value (canonical already)
     * @return {@code PostgresJson.writeStored}: the {@code jsonb} text, no copy first
     */
    public static String writeStoredJson(JsonNode node) {
        return PostgresJson.writeStored(node);
    }

    /**
     * @param row a row of the {@code messages} table, as {@code PostgresRows.MESSAGE_COLUMNS} selects it
     * @return {@code PostgresRows.message}: the record
     * @throws SQLException when the row lacks a column
     */
    public static Message message(ResultSet row) throws SQLException {
        return PostgresRows.message(row);
    }
}

package dev.dal.neo4j.internal;

import java.util.List;

/**
 * The Neo4j store's schema, in the order it is applied. Labels, relationship types and property
 * names are the graph model's (see {@link Neo4jRecords}); statements hold no user values.
 */
final class Neo4jMigrations {
    private Neo4jMigrations() {}

    private static <T> List<T> reversed(List<T> list) {
        List<T> copy = new java.util.ArrayList<>(list);
        java.util.Collections.reverse(copy);
        return copy;
    }

    /**
     * A legacy time value as a UTC {@code DATETIME} at millisecond precision: zoned and local
     * date-times, ISO-8601 strings (no offset means UTC), epoch numbers (seconds when small, else
     * milliseconds; Python's float seconds too). Anything else gives {@code null}.
     */
    private static String asDateTime(String v) {
        return ("CASE"
                        + " WHEN valueType({v}) STARTS WITH 'ZONED DATETIME' THEN datetime.truncate('millisecond', {v})"
                        + " WHEN valueType({v}) STARTS WITH 'LOCAL DATETIME' THEN datetime.truncate('millisecond',"
                        + " datetime({datetime: {v}, timezone: 'UTC'}))"
                        + " WHEN valueType({v}) STARTS WITH 'DATE' THEN datetime({date: {v}, timezone: 'UTC'})"
                        + " WHEN valueType({v}) STARTS WITH 'STRING' THEN datetime.truncate('millisecond', datetime({v}))"
                        + " WHEN valueType({v}) STARTS WITH 'INTEGER' THEN datetime({epochMillis:"
                        + " CASE WHEN abs({v}) < 100000000000 THEN {v} * 1000 ELSE {v} END})"
                        + " WHEN valueType({v}) STARTS WITH 'FLOAT' THEN datetime({epochMillis: toInteger(round({v} * 1000))})"
                        + " ELSE null END")
                .replace("{v}", v);
    }

    /**
     * Legacy graphs named the user-to-session edge both {@code HAS_SESSION} and {@code HAS_CHAT_SESSION}:
     * {@code HAS_SESSION} becomes {@code HAS_CHAT_SESSION}, parallel edges merged.
     */
    static final String NORMALIZE_RELATIONSHIPS = """
            MATCH (a)-[r:HAS_SESSION]->(b)
            CALL (a, r, b) {
              MERGE (a)-[n:HAS_CHAT_SESSION]->(b)
              WITH r, n, properties(n) AS kept
              SET n += properties(r)
              SET n += kept
              DELETE r
            } IN TRANSACTIONS OF 1000 ROWS""";

    /** {@code message_id} becomes {@code id}; a differing {@code id} already there wins, the old value is kept aside. */
    static final String NORMALIZE_MESSAGE_IDS = """
            MATCH (m:Message) WHERE m.message_id IS NOT NULL
            CALL (m) {
              SET m.legacy_message_id = CASE WHEN m.id IS NOT NULL AND m.id <> toString(m.message_id)
                THEN m.message_id ELSE m.legacy_message_id END
              SET m.id = coalesce(m.id, toString(m.message_id))
              REMOVE m.message_id
            } IN TRANSACTIONS OF 1000 ROWS""";

    /** {@code timestamp} becomes {@code created_at} (as a DATETIME); a differing {@code created_at} wins, the old value is kept aside. */
    static final String NORMALIZE_TIMESTAMPS = """
            MATCH (n) WHERE (n:User OR n:ChatSession OR n:Message) AND n.timestamp IS NOT NULL
            CALL (n) {
              WITH n, T AS t
              SET n.legacy_timestamp = CASE WHEN t IS NULL OR (n.created_at IS NOT NULL AND n.created_at <> t)
                THEN n.timestamp ELSE n.legacy_timestamp END
              SET n.created_at = coalesce(n.created_at, t)
              REMOVE n.timestamp
            } IN TRANSACTIONS OF 1000 ROWS""".replace("T AS t", asDateTime("n.timestamp") + " AS t");

    /** {@code created_at} values that are not DATETIMEs (strings, epoch numbers) become DATETIMEs. */
    static final String NORMALIZE_CREATED_AT_TYPES = """
            MATCH (n) WHERE (n:User OR n:ChatSession OR n:Message) AND n.created_at IS NOT NULL
              AND NOT valueType(n.created_at) STARTS WITH 'ZONED DATETIME'
            CALL (n) {
              WITH n, T AS t
              SET n.legacy_created_at = CASE WHEN t IS NULL THEN n.created_at ELSE n.legacy_created_at END
              SET n.created_at = t
            } IN TRANSACTIONS OF 1000 ROWS""".replace("T AS t", asDateTime("n.created_at") + " AS t");

    private static final List<String[]> CONSTRAINTS = List.of(
            new String[] {"dal_user_id", "(n:User) REQUIRE n.id IS UNIQUE"},
            new String[] {"dal_user_external_id", "(n:User) REQUIRE n.external_id IS UNIQUE"},
            new String[] {"dal_session_id", "(n:ChatSession) REQUIRE n.id IS UNIQUE"},
            new String[] {"dal_session_chat_id", "(n:ChatSession) REQUIRE n.chat_id IS UNIQUE"},
            new String[] {"dal_message_id", "(n:Message) REQUIRE n.id IS UNIQUE"},
            new String[] {"dal_message_sequence", "(n:Message) REQUIRE (n.session_id, n.sequence_number) IS UNIQUE"},
            new String[] {"dal_memory_key", "(n:Memory) REQUIRE (n.user_id, n.memory_type, n.key) IS UNIQUE"});

    private static final List<String[]> INDEXES = List.of(
            new String[] {"dal_memory_expires_at", "(n:Memory) ON (n.expires_at)"},
            new String[] {"dal_message_created_at", "(n:Message) ON (n.created_at)"},
            new String[] {"dal_session_last_message_at", "(n:ChatSession) ON (n.last_message_at)"});

    /** Record versions: every user, session and memory node written before versions is at version 1. */
    static final String SET_VERSIONS = """
            MATCH (n) WHERE (n:User OR n:ChatSession OR n:Memory) AND n.version IS NULL
            CALL (n) {
              SET n.version = 1
            } IN TRANSACTIONS OF 1000 ROWS""";

    static final String REMOVE_VERSIONS = """
            MATCH (n) WHERE (n:User OR n:ChatSession OR n:Memory) AND n.version IS NOT NULL
            CALL (n) {
              REMOVE n.version
            } IN TRANSACTIONS OF 1000 ROWS""";

    static final String DELETE_TOMBSTONES = """
            MATCH (n) WHERE n:UserTombstone OR n:ChatSessionTombstone OR n:MemoryTombstone
            CALL (n) {
              DETACH DELETE n
            } IN TRANSACTIONS OF 1000 ROWS""";

    /** What a deletion leaves: one tombstone node per key, found by the key's unique index. */
    private static final List<String[]> TOMBSTONE_CONSTRAINTS = List.of(
            new String[] {"dal_user_tombstone_id", "(n:UserTombstone) REQUIRE n.id IS UNIQUE"},
            new String[] {"dal_session_tombstone_chat_id", "(n:ChatSessionTombstone) REQUIRE n.chat_id IS UNIQUE"},
            new String[] {
                "dal_memory_tombstone_key", "(n:MemoryTombstone) REQUIRE (n.user_id, n.memory_type, n.key) IS UNIQUE"
            });

    /** A bulk upsert of messages skips those of a deleted session, found by the session id its tombstone keeps. */
    private static final String[] SESSION_TOMBSTONE_INDEX = {
        "dal_session_tombstone_session_id", "(n:ChatSessionTombstone) ON (n.session_id)"
    };

    /**
     * The full-text index {@link Neo4jReads#searchMessages} queries: {@code Message.search_words} ({@link
     * Neo4jRecords#SEARCH_WORDS}, the content's words by the kit's rule, lower-cased, space-separated) split at
     * whitespace only, so its terms are exactly those words; updated in the writing transaction's commit rather
     * than eventually, so a committed message is found at once.
     */
    static final String MESSAGE_SEARCH_INDEX = "dal_message_search_words";

    /** Characters per block of {@link #SET_SEARCH_WORDS}' scan (see there). */
    private static final int SEARCH_WORDS_BLOCK = 256;

    /** A word character of the kit's rule, as a Java regex in a Cypher string literal (see {@link #SET_SEARCH_WORDS}). */
    private static final String WORD_CHARACTER = "[\\\\p{L}\\\\p{Nd}\\\\p{Mn}\\\\p{Mc}]";

    /**
     * {@code search_words} for every message lacking it, the string {@link Neo4jRecords#searchWords} computes:
     * each character that is not a letter ({@code \p{L}}, {@code Character.isLetter}), a decimal digit ({@code
     * \p{Nd}}, {@code Character.isDigit}) or a combining mark ({@code \p{Mn}}, {@code \p{Mc}}) becomes a space,
     * a run of them one space, then {@code toLower} and {@code trim}. Cypher's {@code =~} is Java's regex, and its
     * {@code substring} and {@code size} count code points, so a supplementary-plane letter is one character.
     *
     * <p>How, since Cypher has no regex replace: the content is cut into blocks of 256 characters (a word may be
     * cut: the rule looks at one character at a time, so any cut gives the same characters), each block split at
     * spaces into tokens; a token that is all word characters (most are) is kept whole, any other is rebuilt a
     * character at a time, and the tokens are joined again with one space. Blocks keep the costs small that grow
     * with the square of a string's length ({@code substring(c, i, 1)} walks from the start, {@code reduce} copies
     * what it has built): only the final join of the blocks is quadratic, in blocks. Where two pieces meet, a
     * space ending one and a space starting the next are kept once. {@code toLower} runs on the whole string after
     * the separators became spaces, so each word is lower-cased in its own context (a final sigma), as the kit
     * lower-cases word by word. A content that is not a string (no store writes one) gives the empty string.
     */
    static final String SET_SEARCH_WORDS =
            """
            MATCH (m:Message) WHERE m.search_words IS NULL
            CALL (m) {
              WITH m, CASE WHEN valueType(m.content) STARTS WITH 'STRING' THEN m.content ELSE '' END AS c
              WITH m, [k IN range(0, size(c) - 1, BLOCK) | substring(c, k, BLOCK)] AS blocks
              WITH m, [b IN blocks | [tok IN split(b, ' ') |
                CASE WHEN tok =~ 'WORD*' THEN tok
                  ELSE reduce(t = '', ch IN [i IN range(0, size(tok) - 1) | substring(tok, i, 1)] |
                    t + CASE WHEN ch =~ 'WORD' THEN ch WHEN t ENDS WITH ' ' THEN '' ELSE ' ' END) END]] AS tokens
              WITH m, [ts IN tokens | reduce(t = head(ts), x IN tail(ts) |
                t + CASE WHEN t ENDS WITH ' ' THEN '' ELSE ' ' END
                  + CASE WHEN x STARTS WITH ' ' THEN substring(x, 1) ELSE x END)] AS parts
              SET m.search_words = trim(toLower(reduce(s = '', p IN parts |
                s + CASE WHEN s ENDS WITH ' ' AND p STARTS WITH ' ' THEN substring(p, 1) ELSE p END)))
            } IN TRANSACTIONS OF 1000 ROWS""".replace("BLOCK", Integer.toString(SEARCH_WORDS_BLOCK)).replace("WORD", WORD_CHARACTER);

    static final String REMOVE_SEARCH_WORDS = """
            MATCH (m:Message) WHERE m.search_words IS NOT NULL
            CALL (m) {
              REMOVE m.search_words
            } IN TRANSACTIONS OF 1000 ROWS""";

    private static final String CREATE_MESSAGE_SEARCH_INDEX = "CREATE FULLTEXT INDEX " + MESSAGE_SEARCH_INDEX
            + " IF NOT EXISTS FOR (n:Message) ON EACH [n.search_words] OPTIONS {indexConfig: {"
            + "`fulltext.analyzer`: 'whitespace', `fulltext.eventually_consistent`: false}}";

    /**
     * One vote per user per message: the {@link Neo4jRecords#VOTED} relationship repeats its two ends' ids so a
     * uniqueness constraint can hold them (as {@code Message.session_id} does for the sequence). Relationship
     * property uniqueness is in Community Edition since Neo4j 5.7. {@code Neo4jWrites.voteMessage} locks the voter
     * and the message before its {@code MERGE}, so concurrent votes never reach the constraint; the constraint
     * keeps the rule should another writer not.
     */
    private static final String[] VOTE_CONSTRAINT = {
        "dal_vote_key", "()-[r:VOTED]-() REQUIRE (r.user_id, r.message_id) IS UNIQUE"
    };

    /** Rolling votes back removes them, as dropping the feature's storage does in the other stores. */
    static final String DELETE_VOTES = """
            MATCH ()-[r:VOTED]->()
            CALL (r) {
              DELETE r
            } IN TRANSACTIONS OF 1000 ROWS""";

    /** A token usage record's key (schema change 007); its backing index serves the store's merge on the id. */
    private static final String[] TOKEN_USAGE_CONSTRAINT = {
        "dal_token_usage_id", "(n:TokenUsage) REQUIRE n.id IS UNIQUE"
    };

    /**
     * The token usage indexes (schema change 007): a billed user's, a session's and a model's usage over a time
     * range, and every user's usage over a time range, each an index seek of {@code Neo4jReads.getTokenUsageTotals}.
     * The session and user ones also serve the deletions, which look a session's or a user's records up by the
     * index's first property ({@code Neo4jWrites}).
     */
    private static final List<String[]> TOKEN_USAGE_INDEXES = List.of(
            new String[] {"dal_token_usage_user_time", "(n:TokenUsage) ON (n.user_id, n.created_at)"},
            new String[] {"dal_token_usage_session_time", "(n:TokenUsage) ON (n.session_id, n.created_at)"},
            new String[] {"dal_token_usage_model_time", "(n:TokenUsage) ON (n.model, n.created_at)"},
            new String[] {"dal_token_usage_created_at", "(n:TokenUsage) ON (n.created_at)"});

    /** Rolling token usage back removes the records, as dropping the feature's storage does in the other stores. */
    static final String DELETE_TOKEN_USAGE = """
            MATCH (n:TokenUsage)
            CALL (n) {
              DETACH DELETE n
            } IN TRANSACTIONS OF 1000 ROWS""";

    private static List<String> tokenUsageUp() {
        List<String> up = new java.util.ArrayList<>();
        up.add("CREATE CONSTRAINT " + TOKEN_USAGE_CONSTRAINT[0] + " IF NOT EXISTS FOR " + TOKEN_USAGE_CONSTRAINT[1]);
        TOKEN_USAGE_INDEXES.forEach(i -> up.add("CREATE INDEX " + i[0] + " IF NOT EXISTS FOR " + i[1]));
        up.add("CALL db.awaitIndexes(300)");
        return up;
    }

    private static List<String> tokenUsageDown() {
        List<String> down = new java.util.ArrayList<>();
        down.add(DELETE_TOKEN_USAGE);
        reversed(TOKEN_USAGE_INDEXES).forEach(i -> down.add("DROP INDEX " + i[0] + " IF EXISTS"));
        down.add("DROP CONSTRAINT " + TOKEN_USAGE_CONSTRAINT[0] + " IF EXISTS");
        return down;
    }

    private static List<String> versionsUp() {
        List<String> up = new java.util.ArrayList<>();
        up.add(SET_VERSIONS);
        TOMBSTONE_CONSTRAINTS.forEach(c -> up.add("CREATE CONSTRAINT " + c[0] + " IF NOT EXISTS FOR " + c[1]));
        up.add("CREATE INDEX " + SESSION_TOMBSTONE_INDEX[0] + " IF NOT EXISTS FOR " + SESSION_TOMBSTONE_INDEX[1]);
        up.add("CALL db.awaitIndexes(300)");
        return up;
    }

    private static List<String> versionsDown() {
        List<String> down = new java.util.ArrayList<>();
        down.add(DELETE_TOMBSTONES);
        down.add("DROP INDEX " + SESSION_TOMBSTONE_INDEX[0] + " IF EXISTS");
        reversed(TOMBSTONE_CONSTRAINTS).forEach(c -> down.add("DROP CONSTRAINT " + c[0] + " IF EXISTS"));
        down.add(REMOVE_VERSIONS);
        return down;
    }

    /** Every change, in order. */
    static final List<Neo4jMigration> ALL = List.of(
            new Neo4jMigration(
                    "001",
                    "Normalize legacy graphs (seed 000): HAS_SESSION, message_id, timestamp",
                    List.of(
                            NORMALIZE_RELATIONSHIPS,
                            NORMALIZE_MESSAGE_IDS,
                            NORMALIZE_TIMESTAMPS,
                            NORMALIZE_CREATED_AT_TYPES),
                    // The legacy shape cannot be told back from the standard one; undoing leaves the data standard.
                    List.of()),
            new Neo4jMigration(
                    "002",
                    "Uniqueness constraints on ids, chat ids, (session, sequence) and (user, type, key)",
                    CONSTRAINTS.stream()
                            .map(c -> "CREATE CONSTRAINT " + c[0] + " IF NOT EXISTS FOR " + c[1])
                            .toList(),
                    reversed(CONSTRAINTS).stream()
                            .map(c -> "DROP CONSTRAINT " + c[0] + " IF EXISTS")
                            .toList()),
            new Neo4jMigration(
                    "003",
                    "Indexes for memory expiry, message time and session activity",
                    java.util.stream.Stream.concat(
                                    INDEXES.stream().map(i -> "CREATE INDEX " + i[0] + " IF NOT EXISTS FOR " + i[1]),
                                    java.util.stream.Stream.of("CALL db.awaitIndexes(300)"))
                            .toList(),
                    reversed(INDEXES).stream()
                            .map(i -> "DROP INDEX " + i[0] + " IF EXISTS")
                            .toList()),
            new Neo4jMigration(
                    "004",
                    "Record versions (1 on existing users, sessions and memory) and tombstones of deletions",
                    versionsUp(),
                    versionsDown()),
            new Neo4jMigration(
                    "005",
                    "Search words of every message and their full-text index (search)",
                    List.of(SET_SEARCH_WORDS, CREATE_MESSAGE_SEARCH_INDEX, "CALL db.awaitIndexes(300)"),
                    List.of("DROP INDEX " + MESSAGE_SEARCH_INDEX + " IF EXISTS", REMOVE_SEARCH_WORDS)),
            new Neo4jMigration(
                    "006",
                    "Message votes: one VOTED relationship per (user, message), unique on its ends' ids",
                    List.of(
                            "CREATE CONSTRAINT " + VOTE_CONSTRAINT[0] + " IF NOT EXISTS FOR " + VOTE_CONSTRAINT[1],
                            "CALL db.awaitIndexes(300)"),
                    List.of(DELETE_VOTES, "DROP CONSTRAINT " + VOTE_CONSTRAINT[0] + " IF EXISTS")),
            new Neo4jMigration(
                    "007",
                    "Token usage: TokenUsage nodes, unique on id, indexed by user, session and model over time",
                    tokenUsageUp(),
                    tokenUsageDown()));
}

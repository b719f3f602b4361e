package dev.dal.mongo.internal;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gt;
import static com.mongodb.client.model.Filters.gte;
import static com.mongodb.client.model.Filters.lt;
import static com.mongodb.client.model.Filters.lte;
import static dev.dal.mongo.internal.MongoDocuments.*;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Accumulators;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Variable;
import dev.dal.api.ChatSession;
import dev.dal.api.HistoryQuery;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.MessageVote;
import dev.dal.api.SearchHit;
import dev.dal.api.SearchPage;
import dev.dal.api.SearchQuery;
import dev.dal.api.SessionFilter;
import dev.dal.api.SessionOverview;
import dev.dal.api.SessionStatus;
import dev.dal.api.TokenUsageQuery;
import dev.dal.api.TokenUsageTotal;
import dev.dal.api.User;
import dev.dal.api.Vote;
import dev.dal.api.VoteTally;
import dev.dal.api.spi.CodePointOrder;
import dev.dal.api.spi.SearchCursors;
import dev.dal.api.spi.SearchWords;
import dev.dal.api.spi.StoreReads;
import dev.dal.api.spi.TokenTotals;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.conversions.Bson;

/**
 * Every MongoDB read of the store, run in the store's transaction when it has one: a listing with
 * last messages is one aggregation, a history reads the session and then its messages, and memory
 * entries past their expiry are not returned.
 */
final class MongoReads implements StoreReads {
    private final MongoStore store;
    private final MongoOps ops;
    private final MongoCollection<BsonDocument> users;
    private final MongoCollection<BsonDocument> sessions;
    private final MongoCollection<BsonDocument> messages;
    private final MongoCollection<BsonDocument> memory;

    /** @param store the store whose collections, session and clock the reads use */
    MongoReads(MongoStore store) {
        this.store = store;
        this.ops = store.ops();
        this.users = store.users;
        this.sessions = store.sessions;
        this.messages = store.messages;
        this.memory = store.memory;
    }

    private Instant now() {
        return store.now();
    }

    private <T> T call(String operation, Supplier<T> work) {
        return store.call(operation, work);
    }

    // ---- users and sessions ----

    @Override
    public Optional<User> getUser(UUID id) {
        return call(
                "getUser",
                () -> Optional.ofNullable(ops.find(users, eq(ID, id.toString())).first())
                        .map(MongoDocuments::toUser));
    }

    @Override
    public Optional<User> getUserByExternalId(String externalId) {
        return call(
                "getUserByExternalId",
                () -> Optional.ofNullable(ops.find(users, eq(EXTERNAL_ID, new BsonString(externalId)))
                                .first())
                        .map(MongoDocuments::toUser));
    }

    @Override
    public Optional<ChatSession> getChatSession(String chatId) {
        return call(
                "getChatSession",
                () -> Optional.ofNullable(ops.find(sessions, eq(CHAT_ID, new BsonString(chatId)))
                                .first())
                        .map(MongoDocuments::toSession));
    }

    private static final Bson SESSION_ORDER = Sorts.orderBy(Sorts.descending(LAST_ACTIVITY_AT), Sorts.descending(ID));

    @Override
    public List<ChatSession> listUserSessions(UUID userId, SessionFilter filter, int limit, int offset) {
        return call(
                "listUserSessions",
                () -> ops.find(sessions, listingMatch(userId, filter))
                        .sort(SESSION_ORDER)
                        .skip(offset)
                        .limit(limit)
                        .map(MongoDocuments::toSession)
                        .into(new ArrayList<>()));
    }

    private static final String LAST = "_last";

    /** The owner and the filter's conditions, all equalities, so an index of migration 005 serves them in order. */
    private static Bson listingMatch(UUID userId, SessionFilter filter) {
        List<Bson> conditions = new ArrayList<>();
        conditions.add(eq(USER_ID, userId.toString()));
        if (filter.filtersStatus()) {
            conditions.add(eq(STATUS, SessionStatus.ACTIVE.wireName()));
        }
        if (filter.profile() != null) {
            conditions.add(eq(PROFILE, filter.profile()));
        }
        return conditions.size() == 1 ? conditions.get(0) : and(conditions);
    }

    @Override
    public List<SessionOverview> listUserSessionsWithLastMessage(
            UUID userId, SessionFilter filter, int limit, int offset) {
        // One aggregation: the page of sessions, each joined to its newest message by a sub-pipeline.
        List<Bson> pipeline = List.of(
                Aggregates.match(listingMatch(userId, filter)),
                Aggregates.sort(SESSION_ORDER),
                Aggregates.skip(offset),
                Aggregates.limit(limit),
                new BsonDocument(
                        "$lookup",
                        new BsonDocument("from", new BsonString(MongoMigrations.MESSAGES))
                                .append("let", new BsonDocument("sid", new BsonString("$" + ID)))
                                .append(
                                        "pipeline",
                                        new org.bson.BsonArray(List.of(
                                                new BsonDocument(
                                                        "$match",
                                                        new BsonDocument(
                                                                "$expr",
                                                                new BsonDocument(
                                                                        "$eq",
                                                                        new org.bson.BsonArray(List.of(
                                                                                new BsonString("$" + SESSION_ID),
                                                                                new BsonString("$$sid")))))),
                                                new BsonDocument(
                                                        "$sort", new BsonDocument(SEQUENCE_NUMBER, new BsonInt32(-1))),
                                                new BsonDocument("$limit", new BsonInt32(1)))))
                                .append("as", new BsonString(LAST))));
        return call("listUserSessionsWithLastMessage", () -> {
            List<SessionOverview> page = new ArrayList<>();
            for (BsonDocument d : ops.aggregate(sessions, pipeline)) {
                var last = d.getArray(LAST, new org.bson.BsonArray());
                page.add(new SessionOverview(
                        toSession(d),
                        last.isEmpty() ? null : toMessage(last.get(0).asDocument())));
            }
            return page;
        });
    }

    // ---- messages ----

    private BsonDocument sessionKey(String chatId) {
        return ops.find(sessions, eq(CHAT_ID, new BsonString(chatId)))
                .projection(Projections.include(ID, MESSAGE_COUNT))
                .first();
    }

    @Override
    public List<Message> getChatHistory(String chatId, int limit, int offset) {
        return call("getChatHistory", () -> {
            BsonDocument session = sessionKey(chatId);
            if (session == null) {
                return List.of();
            }
            return ops.find(messages, eq(SESSION_ID, session.get(ID)))
                    .sort(Sorts.ascending(SEQUENCE_NUMBER))
                    .skip(offset)
                    .limit(limit)
                    .map(MongoDocuments::toMessage)
                    .into(new ArrayList<>());
        });
    }

    @Override
    public List<Message> getChatHistory(String chatId, HistoryQuery query) {
        return call("getChatHistory", () -> {
            BsonDocument session = sessionKey(chatId);
            if (session == null) {
                return List.of();
            }
            long[] window = query.window(session.get(MESSAGE_COUNT).asNumber().longValue());
            if (window[0] > window[1]) {
                return List.of();
            }
            return ops.find(
                            messages,
                            and(
                                    eq(SESSION_ID, session.get(ID)),
                                    gte(SEQUENCE_NUMBER, window[0]),
                                    lte(SEQUENCE_NUMBER, window[1])))
                    .sort(Sorts.ascending(SEQUENCE_NUMBER))
                    .map(MongoDocuments::toMessage)
                    .into(new ArrayList<>());
        });
    }

    @Override
    public long getMessageCount(String chatId) {
        return call("getMessageCount", () -> {
            BsonDocument session = sessionKey(chatId);
            return session == null ? 0L : session.get(MESSAGE_COUNT).asNumber().longValue();
        });
    }

    // ---- search ----

    private static final String SCORE = "_score";

    /**
     * Two round trips: the sessions in scope (the one session, or the user's), then one aggregation over their
     * messages holding every word ({@code $all} on {@link MongoDocuments#SEARCH_WORDS}, served by the
     * (session, words) index), scored by how often the words occur, after the cursor, best first.
     */
    @Override
    public SearchPage searchMessages(SearchQuery query) {
        List<String> words = SearchWords.of(query.text());
        SearchCursors.Position after = query.cursor() == null ? null : SearchCursors.decode(query.cursor());
        return call("searchMessages", () -> {
            Bson scope = query.chatId() != null
                    ? eq(CHAT_ID, new BsonString(query.chatId()))
                    : eq(USER_ID, query.userId().toString());
            Map<String, String> chatIds = new HashMap<>();
            for (BsonDocument s : ops.find(sessions, scope).projection(Projections.include(ID, CHAT_ID))) {
                chatIds.put(s.getString(ID).getValue(), s.getString(CHAT_ID).getValue());
            }
            if (chatIds.isEmpty()) {
                return new SearchPage(List.of(), null);
            }
            BsonArray wordValues = new BsonArray();
            words.forEach(w -> wordValues.add(new BsonString(w)));
            List<Bson> pipeline = new ArrayList<>();
            pipeline.add(
                    Aggregates.match(and(Filters.in(SESSION_ID, chatIds.keySet()), Filters.all(SEARCH_WORDS, words))));
            pipeline.add(new BsonDocument(
                    "$addFields",
                    new BsonDocument(
                            SCORE,
                            new BsonDocument(
                                    "$size",
                                    new BsonDocument(
                                            "$filter",
                                            new BsonDocument("input", new BsonString("$" + SEARCH_WORDS))
                                                    .append(
                                                            "cond",
                                                            new BsonDocument(
                                                                    "$in",
                                                                    new BsonArray(List.of(
                                                                            new BsonString("$$this"),
                                                                            wordValues)))))))));
            if (after != null) {
                BsonDouble score = new BsonDouble(after.score());
                pipeline.add(Aggregates.match(Filters.or(
                        Filters.lt(SCORE, score),
                        and(
                                eq(SCORE, score),
                                Filters.lt(PLAIN_ID, after.messageId().toString())))));
            }
            pipeline.add(Aggregates.sort(Sorts.orderBy(Sorts.descending(SCORE), Sorts.descending(PLAIN_ID))));
            pipeline.add(Aggregates.limit(query.limit() + 1));
            pipeline.add(Aggregates.project(Projections.exclude(SEARCH_WORDS)));
            List<SearchHit> hits = new ArrayList<>();
            for (BsonDocument d : ops.aggregate(messages, pipeline)) {
                Message message = toMessage(d);
                hits.add(new SearchHit(
                        message,
                        chatIds.get(message.sessionId().toString()),
                        d.get(SCORE).asNumber().doubleValue()));
            }
            return SearchCursors.page(hits, query.limit());
        });
    }

    // ---- votes ----

    private static final String VOTES = "_votes";
    private static final String UP = "up";
    private static final String DOWN = "down";

    /**
     * One aggregation over the session with the chat id, which joins its votes in the range by a sub-pipeline
     * ({@code $lookup} with {@code let}, as the listing's): a session and its votes in one round trip, though votes
     * name their session by id. The sub-pipeline's {@code $match} is served by an index of migration 007.
     *
     * @param operation the operation, for errors
     * @param chatId the session's chat id
     * @param fromSequence the first sequence number of the range
     * @param toSequence the last, inclusive
     * @param voter a further condition on the votes (one user's), or {@code null}
     * @param votesInRange the sub-pipeline's stages after the match
     * @return the documents the sub-pipeline gives, empty for an unknown session
     */
    private List<BsonDocument> sessionVotes(
            String operation, String chatId, long fromSequence, long toSequence, Bson voter, List<Bson> votesInRange) {
        List<Bson> sub = new ArrayList<>();
        Bson range = and(gte(SEQUENCE_NUMBER, fromSequence), lte(SEQUENCE_NUMBER, toSequence));
        sub.add(Aggregates.match(and(
                Filters.expr(new BsonDocument(
                        "$eq", new BsonArray(List.of(new BsonString("$" + SESSION_ID), new BsonString("$$sid"))))),
                voter == null ? range : and(voter, range))));
        sub.addAll(votesInRange);
        List<Bson> pipeline = List.of(
                Aggregates.match(eq(CHAT_ID, new BsonString(chatId))),
                Aggregates.project(Projections.include(ID)),
                Aggregates.lookup(MongoMigrations.VOTES, List.of(new Variable<>("sid", "$" + ID)), sub, VOTES));
        return call(operation, () -> {
            BsonDocument session = ops.aggregate(sessions, pipeline).first();
            if (session == null) {
                return List.of();
            }
            List<BsonDocument> joined = new ArrayList<>();
            session.getArray(VOTES, new BsonArray()).forEach(v -> joined.add(v.asDocument()));
            return joined;
        });
    }

    private static BsonDocument countOf(Vote vote) {
        return new BsonDocument(
                "$cond",
                new BsonArray(List.of(
                        new BsonDocument(
                                "$eq",
                                new BsonArray(List.of(new BsonString("$" + VOTE), new BsonString(vote.wireName())))),
                        new BsonInt32(1),
                        new BsonInt32(0))));
    }

    /** The votes in the range grouped by sequence number, up and down counted apart, in ascending order. */
    @Override
    public List<VoteTally> getVoteTallies(String chatId, long fromSequence, long toSequence) {
        List<Bson> tally = List.of(
                Aggregates.group(
                        "$" + SEQUENCE_NUMBER,
                        Accumulators.sum(UP, countOf(Vote.UP)),
                        Accumulators.sum(DOWN, countOf(Vote.DOWN))),
                Aggregates.sort(Sorts.ascending(ID)));
        return sessionVotes("getVoteTallies", chatId, fromSequence, toSequence, null, tally).stream()
                .map(d -> new VoteTally(
                        d.get(ID).asNumber().longValue(),
                        d.get(UP).asNumber().longValue(),
                        d.get(DOWN).asNumber().longValue()))
                .toList();
    }

    @Override
    public List<MessageVote> getUserVotes(String chatId, UUID userId, long fromSequence, long toSequence) {
        return sessionVotes(
                        "getUserVotes",
                        chatId,
                        fromSequence,
                        toSequence,
                        eq(USER_ID, userId.toString()),
                        List.of(Aggregates.sort(Sorts.ascending(SEQUENCE_NUMBER))))
                .stream()
                .map(MongoDocuments::toVote)
                .toList();
    }

    // ---- token usage ----

    private static final String TOTALS = "_totals";
    private static final String KEY_FIELD = "k";
    private static final String CURRENCY_FIELD = "c";
    private static final String PROMPT = "p";
    private static final String COMPLETION = "q";
    private static final String RECORDS = "n";
    private static final String COST = "m";
    private static final String ROWS = "rows";

    /**
     * One aggregation. Without a session it runs on {@code token_usage}; with one it runs on {@code chat_sessions},
     * matching the chat id and joining the session's usage by a sub-pipeline ({@code $lookup} with {@code let}, as
     * the vote tallies'), so the chat id is resolved in the same round trip and an unknown one gives no rows. The
     * usage pipeline matches the range (and the user, the session, the keys after {@code afterKey}) — served by an
     * index of migration 008 — groups by (key, currency), then by key with that key's currency rows pushed, sorts
     * by key and keeps the first {@code limit} keys: every currency row of those keys, and no other.
     */
    @Override
    public List<TokenUsageTotal> getTokenUsageTotals(TokenUsageQuery query) {
        String keyField = switch (query.groupBy()) {
            case USER -> USER_ID;
            case SESSION -> SESSION_ID;
            case MODEL -> MODEL;
        };
        List<Bson> conditions = new ArrayList<>();
        if (query.chatId() != null) {
            conditions.add(Filters.expr(new BsonDocument(
                    "$eq", new BsonArray(List.of(new BsonString("$" + SESSION_ID), new BsonString("$$sid"))))));
        }
        if (query.userId() != null) {
            conditions.add(eq(USER_ID, query.userId().toString()));
        }
        conditions.add(gte(CREATED_AT, date(query.from())));
        conditions.add(lt(CREATED_AT, date(query.to())));
        if (query.afterKey() != null) {
            conditions.add(gt(keyField, new BsonString(query.afterKey())));
        }
        BsonDocument row = new BsonDocument(CURRENCY_FIELD, new BsonString("$" + ID + "." + CURRENCY_FIELD))
                .append(PROMPT, new BsonString("$" + PROMPT))
                .append(COMPLETION, new BsonString("$" + COMPLETION))
                .append(RECORDS, new BsonString("$" + RECORDS))
                .append(COST, new BsonString("$" + COST));
        List<Bson> totals = List.of(
                Aggregates.match(and(conditions)),
                Aggregates.group(
                        new BsonDocument(KEY_FIELD, new BsonString("$" + keyField))
                                .append(CURRENCY_FIELD, new BsonString("$" + CURRENCY)),
                        Accumulators.sum(PROMPT, "$" + PROMPT_TOKENS),
                        Accumulators.sum(COMPLETION, "$" + COMPLETION_TOKENS),
                        Accumulators.sum(RECORDS, 1),
                        Accumulators.sum(COST, "$" + COST_MICROS)),
                Aggregates.group("$" + ID + "." + KEY_FIELD, Accumulators.push(ROWS, row)),
                Aggregates.sort(Sorts.ascending(ID)),
                Aggregates.limit(query.limit()));
        return call("getTokenUsageTotals", () -> {
            List<BsonDocument> keys;
            if (query.chatId() == null) {
                keys = ops.aggregate(store.tokenUsage, totals).into(new ArrayList<>());
            } else {
                List<Bson> pipeline = List.of(
                        Aggregates.match(eq(CHAT_ID, new BsonString(query.chatId()))),
                        Aggregates.project(Projections.include(ID)),
                        Aggregates.lookup(
                                MongoMigrations.TOKEN_USAGE, List.of(new Variable<>("sid", "$" + ID)), totals, TOTALS));
                BsonDocument session = ops.aggregate(sessions, pipeline).first();
                keys = new ArrayList<>();
                if (session != null) {
                    session.getArray(TOTALS, new BsonArray()).forEach(v -> keys.add(v.asDocument()));
                }
            }
            // The server orders and compares strings by UTF-8 bytes, i.e. by code point; sorting and checking
            // afterKey again here also holds servers that do not (mongo-java-server compares UTF-16 units).
            keys.sort((a, b) -> CodePointOrder.compare(
                    a.getString(ID).getValue(), b.getString(ID).getValue()));
            List<TokenTotals.CurrencyRow> rows = new ArrayList<>();
            for (BsonDocument k : keys) {
                String key = k.getString(ID).getValue();
                if (query.afterKey() != null && CodePointOrder.compare(key, query.afterKey()) <= 0) {
                    continue;
                }
                for (BsonValue v : k.getArray(ROWS)) {
                    BsonDocument r = v.asDocument();
                    BsonValue currency = r.get(CURRENCY_FIELD);
                    rows.add(new TokenTotals.CurrencyRow(
                            key,
                            currency == null || currency.isNull()
                                    ? null
                                    : currency.asString().getValue(),
                            sum(r, PROMPT),
                            sum(r, COMPLETION),
                            sum(r, RECORDS),
                            sum(r, COST)));
                }
            }
            return TokenTotals.fromRows(rows);
        });
    }

    private static long sum(BsonDocument d, String field) {
        BsonValue v = d.get(field);
        return v == null || !v.isNumber() ? 0 : v.asNumber().longValue();
    }

    // ---- memory ----

    @Override
    public Optional<MemoryEntry> getUserMemory(UUID userId, String memoryType, String key) {
        Instant now = now();
        return call(
                "getUserMemory",
                () -> Optional.ofNullable(ops.find(memory, and(memoryFilter(userId, memoryType, key), visibleAt(now)))
                                .first())
                        .map(MongoDocuments::toMemory));
    }

    @Override
    public List<MemoryEntry> getUserMemory(UUID userId, String memoryType) {
        Instant now = now();
        return call("getUserMemory", () -> {
            List<MemoryEntry> entries = ops.find(
                            memory,
                            and(
                                    eq(USER_ID, userId.toString()),
                                    eq(MEMORY_TYPE, new BsonString(memoryType)),
                                    visibleAt(now)))
                    .sort(Sorts.ascending(KEY))
                    .map(MongoDocuments::toMemory)
                    .into(new ArrayList<>());
            // The server orders strings by UTF-8 bytes, i.e. by code point; this also holds servers that do not.
            entries.sort((a, b) -> CodePointOrder.compare(a.key(), b.key()));
            return entries;
        });
    }
}

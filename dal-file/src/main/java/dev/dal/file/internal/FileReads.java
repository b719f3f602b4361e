package dev.dal.file.internal;

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
import dev.dal.api.Timestamps;
import dev.dal.api.TokenUsageQuery;
import dev.dal.api.TokenUsageTotal;
import dev.dal.api.User;
import dev.dal.api.Vote;
import dev.dal.api.VoteTally;
import dev.dal.api.spi.SearchCursors;
import dev.dal.api.spi.SearchWords;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Every read the file store's {@code DataAccess} makes: users, sessions and their pages, chat
 * history, message counts and memory. Each method runs while the caller holds the store lock and
 * reads straight from disk, since another process may have written since the last call; expired
 * memory is never returned.
 */
final class FileReads {
    private static final Comparator<ChatSession> MOST_RECENT_FIRST = Comparator.comparing(ChatSession::lastActivityAt)
            .reversed()
            .thenComparing(s -> s.id().toString(), Comparator.reverseOrder());

    private final RecordDirectory records;
    private final Clock clock;

    /**
     * @param records the record files
     * @param clock the clock that decides which memory entries have expired
     */
    FileReads(RecordDirectory records, Clock clock) {
        this.records = records;
        this.clock = clock;
    }

    // ---- users ----

    Optional<User> user(UUID id) throws IOException {
        return records.user(id);
    }

    Optional<User> userByExternalId(String externalId) throws IOException {
        Optional<UUID> id = records.userIdByExternalId(externalId);
        return id.isEmpty() ? Optional.empty() : records.user(id.get());
    }

    // ---- sessions ----

    Optional<ChatSession> chatSession(String chatId) throws IOException {
        return records.sessionByChatId(chatId);
    }

    /** One page of a user's sessions, the most recently active first. */
    List<ChatSession> userSessions(UUID userId, SessionFilter filter, int limit, int offset) throws IOException {
        List<ChatSession> sessions = new ArrayList<>();
        for (UUID id : records.sessionIdsOf(userId)) {
            records.session(id).filter(filter::admits).ifPresent(sessions::add);
        }
        sessions.sort(MOST_RECENT_FIRST);
        if (offset >= sessions.size()) {
            return List.of();
        }
        return List.copyOf(sessions.subList(offset, Math.min(sessions.size(), offset + limit)));
    }

    /** The same page as {@link #userSessions}, each session with its last message. */
    List<SessionOverview> userSessionsWithLastMessage(UUID userId, SessionFilter filter, int limit, int offset)
            throws IOException {
        List<SessionOverview> page = new ArrayList<>();
        for (ChatSession session : userSessions(userId, filter, limit, offset)) {
            Message last = session.messageCount() == 0
                    ? null
                    : records.messages(session.id())
                            .read(session.messageCount())
                            .orElse(null);
            page.add(new SessionOverview(session, last));
        }
        return page;
    }

    // ---- messages ----

    List<Message> chatHistory(String chatId, int limit, int offset) throws IOException {
        Optional<ChatSession> session = records.sessionByChatId(chatId);
        if (session.isEmpty()) {
            return List.of();
        }
        long last = Math.min(session.get().messageCount(), (long) offset + limit);
        return records.messages(session.get().id()).readRange((long) offset + 1, last);
    }

    List<Message> chatHistory(String chatId, HistoryQuery query) throws IOException {
        Optional<ChatSession> session = records.sessionByChatId(chatId);
        if (session.isEmpty()) {
            return List.of();
        }
        long[] window = query.window(session.get().messageCount());
        return records.messages(session.get().id()).readRange(window[0], window[1]);
    }

    /**
     * A page of a full-text search: each session in scope answers from its word index, every hit is checked
     * against its message's content and scored by how often the query's words occur in it.
     */
    SearchPage search(SearchQuery query) throws IOException {
        List<String> words = SearchWords.of(query.text());
        SearchCursors.Position after = query.cursor() == null ? null : SearchCursors.decode(query.cursor());
        List<ChatSession> scope = new ArrayList<>();
        if (query.chatId() != null) {
            records.sessionByChatId(query.chatId()).ifPresent(scope::add);
        } else {
            for (UUID id : records.sessionIdsOf(query.userId())) {
                records.session(id).ifPresent(scope::add);
            }
        }
        List<SearchHit> hits = new ArrayList<>();
        for (ChatSession session : scope) {
            for (Message m : records.messages(session.id()).matching(words)) {
                double score = SearchWords.occurrences(words, m.content());
                if (after == null || SearchCursors.isAfter(after, score, m.id())) {
                    hits.add(new SearchHit(m, session.chatId(), score));
                }
            }
        }
        hits.sort(SearchCursors.SEARCH_ORDER);
        return SearchCursors.page(hits, query.limit());
    }

    long messageCount(String chatId) throws IOException {
        return records.sessionByChatId(chatId).map(ChatSession::messageCount).orElse(0L);
    }

    // ---- votes ----

    private List<MessageVote> votesIn(String chatId, long fromSequence, long toSequence) throws IOException {
        Optional<UUID> sessionId = records.sessionIdByChatId(chatId);
        if (sessionId.isEmpty()) {
            return List.of();
        }
        return records.votesOf(sessionId.get()).stream()
                .filter(v -> v.sequenceNumber() >= fromSequence && v.sequenceNumber() <= toSequence)
                .toList();
    }

    List<VoteTally> voteTallies(String chatId, long fromSequence, long toSequence) throws IOException {
        List<VoteTally> tallies = new ArrayList<>();
        long seq = 0;
        long up = 0;
        long down = 0;
        // The votes come sorted by sequence number: each run of one number is one tally.
        for (MessageVote v : votesIn(chatId, fromSequence, toSequence)) {
            if (v.sequenceNumber() != seq && up + down > 0) {
                tallies.add(new VoteTally(seq, up, down));
                up = 0;
                down = 0;
            }
            seq = v.sequenceNumber();
            if (v.vote() == Vote.UP) {
                up++;
            } else {
                down++;
            }
        }
        if (up + down > 0) {
            tallies.add(new VoteTally(seq, up, down));
        }
        return tallies;
    }

    List<MessageVote> userVotes(String chatId, UUID userId, long fromSequence, long toSequence) throws IOException {
        return votesIn(chatId, fromSequence, toSequence).stream()
                .filter(v -> v.userId().equals(userId))
                .toList();
    }

    // ---- token usage ----

    List<TokenUsageTotal> tokenUsageTotals(TokenUsageQuery query) throws IOException {
        UUID sessionId = null;
        if (query.chatId() != null) {
            Optional<UUID> session = records.sessionIdByChatId(query.chatId());
            if (session.isEmpty()) {
                return List.of();
            }
            sessionId = session.get();
        }
        return records.tokenUsage().total(query, sessionId);
    }

    // ---- memory ----

    Optional<MemoryEntry> memory(UUID userId, String memoryType, String key) throws IOException {
        Instant now = Timestamps.now(clock);
        return records.memoryOf(userId).stream()
                .filter(e -> e.memoryType().equals(memoryType) && e.key().equals(key))
                .findFirst()
                .filter(e -> !e.isExpiredAt(now));
    }

    List<MemoryEntry> memory(UUID userId, String memoryType) throws IOException {
        Instant now = Timestamps.now(clock);
        return records.memoryOf(userId).stream()
                .filter(e -> e.memoryType().equals(memoryType) && !e.isExpiredAt(now))
                .sorted(MemoryOrder.BY_TYPE_AND_KEY)
                .toList();
    }
}

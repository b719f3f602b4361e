package dev.dal.api.spi;

import dev.dal.api.Capability;
import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.HistoryQuery;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.MessageVote;
import dev.dal.api.SearchPage;
import dev.dal.api.SearchQuery;
import dev.dal.api.SessionFilter;
import dev.dal.api.SessionOverview;
import dev.dal.api.TokenUsageQuery;
import dev.dal.api.TokenUsageTotal;
import dev.dal.api.UnsupportedCapabilityException;
import dev.dal.api.User;
import dev.dal.api.VoteTally;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Every read of {@link DataAccess}, as a backend implements them in one place (its {@code XReads}); each
 * method keeps the contract of the {@code DataAccess} method of the same name. A backend's store hands
 * its reads here through {@link SplitDataAccess}.
 */
public interface StoreReads {

    /**
     * As {@link DataAccess#getUser(UUID)}.
     *
     * @param id the user's id
     * @return the user, if it exists
     */
    Optional<User> getUser(UUID id);

    /**
     * As {@link DataAccess#getUserByExternalId(String)}.
     *
     * @param externalId the external id, as the application knows the user
     * @return the user, if one has that external id
     */
    Optional<User> getUserByExternalId(String externalId);

    /**
     * As {@link DataAccess#getChatSession(String)}.
     *
     * @param chatId the session's chat id
     * @return the session, if it exists
     */
    Optional<ChatSession> getChatSession(String chatId);

    /**
     * As {@link DataAccess#listUserSessions(UUID,SessionFilter,int,int)}.
     *
     * @param userId the owner's id
     * @param filter which sessions to return
     * @param limit the most items returned, from 1
     * @param offset how many matching items to skip, from 0
     * @return a page of the user's sessions
     */
    List<ChatSession> listUserSessions(UUID userId, SessionFilter filter, int limit, int offset);

    /**
     * As {@link DataAccess#listUserSessionsWithLastMessage(UUID,SessionFilter,int,int)}.
     *
     * @param userId the owner's id
     * @param filter which sessions to return
     * @param limit the most items returned, from 1
     * @param offset how many matching items to skip, from 0
     * @return a page of the user's sessions, each with its last message
     */
    List<SessionOverview> listUserSessionsWithLastMessage(UUID userId, SessionFilter filter, int limit, int offset);

    /**
     * As {@link DataAccess#getChatHistory(String,int,int)}.
     *
     * @param chatId the session's chat id
     * @param limit the most items returned, from 1
     * @param offset how many items to skip, from 0
     * @return a page of the session's messages
     */
    List<Message> getChatHistory(String chatId, int limit, int offset);

    /**
     * As {@link DataAccess#getChatHistory(String,HistoryQuery)}.
     *
     * @param chatId the session's chat id
     * @param query which messages, in which order
     * @return the messages the query selects
     */
    List<Message> getChatHistory(String chatId, HistoryQuery query);

    /**
     * As {@link DataAccess#getMessageCount(String)}.
     *
     * @param chatId the session's chat id
     * @return the number of messages in the session
     */
    long getMessageCount(String chatId);

    /**
     * As {@link DataAccess#searchMessages(SearchQuery)}; the query is valid and its cursor one that
     * {@link SearchCursors#encode} made. Stores without {@link Capability#FULL_TEXT_SEARCH} keep this default.
     *
     * @param query the search
     * @return a page of hits
     */
    default SearchPage searchMessages(SearchQuery query) {
        throw new UnsupportedCapabilityException(
                Capability.FULL_TEXT_SEARCH, "this store keeps no full-text index of message content");
    }

    /**
     * As {@link DataAccess#getVoteTallies(String,long,long)}; the range is valid. Stores without
     * {@link Capability#MESSAGE_VOTES} keep this default.
     *
     * @param chatId the session's chat id
     * @param fromSequence the first sequence number of the range
     * @param toSequence the last, inclusive
     * @return the tallies of the range's voted messages, in ascending sequence order
     */
    default List<VoteTally> getVoteTallies(String chatId, long fromSequence, long toSequence) {
        throw new UnsupportedCapabilityException(Capability.MESSAGE_VOTES, "this store keeps no message votes");
    }

    /**
     * As {@link DataAccess#getUserVotes(String,UUID,long,long)}; the range is valid. Stores without
     * {@link Capability#MESSAGE_VOTES} keep this default.
     *
     * @param chatId the session's chat id
     * @param userId who voted
     * @param fromSequence the first sequence number of the range
     * @param toSequence the last, inclusive
     * @return the user's votes in the range, in ascending sequence order
     */
    default List<MessageVote> getUserVotes(String chatId, UUID userId, long fromSequence, long toSequence) {
        throw new UnsupportedCapabilityException(Capability.MESSAGE_VOTES, "this store keeps no message votes");
    }

    /**
     * As {@link DataAccess#getTokenUsageTotals(TokenUsageQuery)}; the query is valid. Stores without
     * {@link Capability#TOKEN_USAGE} keep this default.
     *
     * @param query the grouping, range, filters and page
     * @return the totals in ascending key order
     */
    default List<TokenUsageTotal> getTokenUsageTotals(TokenUsageQuery query) {
        throw UnsupportedCapabilityException.notDeclared(Capability.TOKEN_USAGE);
    }

    /**
     * As {@link DataAccess#getUserMemory(UUID,String,String)}.
     *
     * @param userId the owner's id
     * @param memoryType the memory type, e.g. {@code context}
     * @param key the key within the type
     * @return the live entry, if any
     */
    Optional<MemoryEntry> getUserMemory(UUID userId, String memoryType, String key);

    /**
     * As {@link DataAccess#getUserMemory(UUID,String)}.
     *
     * @param userId the owner's id
     * @param memoryType the memory type, e.g. {@code context}
     * @return the live entries of that type
     */
    List<MemoryEntry> getUserMemory(UUID userId, String memoryType);
}

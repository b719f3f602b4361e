package dev.dal.benchmarks.spring.neo4j;

import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import org.springframework.data.neo4j.repository.Neo4jRepository;
import org.springframework.data.neo4j.repository.query.Query;
import org.springframework.data.repository.query.Param;

/**
 * Sessions: a derived query by {@code chat_id}; {@code @Query} Cypher where a derived query cannot say it: the
 * counter update (an atomic increment), the {@code HAS_MESSAGE} links and the sessions of a user (the owner is a
 * relationship, not a property of the session, and the order is Dal's {@code coalesce} of two times).
 */
public interface SessionNodeRepository extends Neo4jRepository<SessionNode, String> {
    /**
     * @param chatId the caller's key
     * @return the session
     */
    Optional<SessionNode> findByChatId(String chatId);

    /**
     * Reserves {@code count} sequence numbers: moves the counter, the last message time and the version in one
     * statement (the node's write lock is held to the end of the transaction).
     *
     * @param chatId the caller's key
     * @param count how many messages are added
     * @param now the time of the append
     * @return the session after the update
     */
    @Query("""
            MATCH (s:ChatSession {chat_id: $chatId})
            SET s.message_count = coalesce(s.message_count, 0) + $count, s.last_message_at = $now,
                s.version = coalesce(s.version, 1) + 1
            RETURN s""")
    Optional<SessionNode> reserve(
            @Param("chatId") String chatId, @Param("count") long count, @Param("now") ZonedDateTime now);

    /**
     * Creates the {@code (:ChatSession)-[:HAS_MESSAGE]->(:Message)} relationships of new messages.
     *
     * @param sessionId the session's id
     * @param messageIds the new messages' ids
     * @return how many were linked
     */
    @Query("""
            MATCH (s:ChatSession {id: $sessionId})
            UNWIND $messageIds AS messageId
            MATCH (m:Message {id: messageId})
            CREATE (s)-[:HAS_MESSAGE]->(m)
            RETURN count(*)""")
    long link(@Param("sessionId") String sessionId, @Param("messageIds") List<String> messageIds);

    /**
     * @param userId the owner
     * @param limit how many
     * @return the user's sessions, most recent first (Dal's order: last message or creation time, then id)
     */
    @Query("""
            MATCH (:User {id: $userId})-[:HAS_CHAT_SESSION]->(s:ChatSession)
            RETURN s
            ORDER BY coalesce(s.last_message_at, s.created_at) DESC, s.id DESC
            LIMIT $limit""")
    List<SessionNode> findRecentOfUser(@Param("userId") String userId, @Param("limit") long limit);
}

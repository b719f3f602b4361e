package dev.dal.benchmarks.spring.neo4j;

import java.util.Collection;
import java.util.List;
import org.springframework.data.domain.Limit;
import org.springframework.data.neo4j.repository.Neo4jRepository;
import org.springframework.data.neo4j.repository.query.Query;
import org.springframework.data.repository.query.Param;

/** Messages: {@code saveAll} for writes, derived queries for the pages, one {@code @Query} for the overview. */
public interface MessageNodeRepository extends Neo4jRepository<MessageNode, String> {
    /**
     * @param sessionId the session
     * @param limit page size
     * @return the newest messages, newest first
     */
    List<MessageNode> findBySessionIdOrderBySequenceNumberDesc(String sessionId, Limit limit);

    /**
     * @param sessionId the session
     * @param after exclusive lower bound on the sequence number
     * @param limit page size
     * @return the keyset page after {@code after}, oldest first
     */
    List<MessageNode> findBySessionIdAndSequenceNumberGreaterThanOrderBySequenceNumberAsc(
            String sessionId, long after, Limit limit);

    /**
     * The last message of each session: numbers are gap-free, so it is the one numbered {@code message_count}, found
     * by the (session, sequence number) index.
     *
     * @param sessionIds the sessions
     * @return the last message of each of them that has one
     */
    @Query("""
            MATCH (s:ChatSession) WHERE s.id IN $sessionIds
            MATCH (m:Message {session_id: s.id, sequence_number: s.message_count})
            RETURN m""")
    List<MessageNode> findLastMessages(@Param("sessionIds") Collection<String> sessionIds);
}

package dev.dal.benchmarks.spring.jdbc;

import java.util.Collection;
import java.util.List;
import org.springframework.data.domain.Limit;
import org.springframework.data.jdbc.repository.query.Query;
import org.springframework.data.repository.ListCrudRepository;
import org.springframework.data.repository.query.Param;

/** Messages: {@code saveAll} for writes, derived queries for the pages, one {@code @Query} for the overview. */
public interface MessageRepository extends ListCrudRepository<MessageRow, java.util.UUID> {
    /**
     * @param chatSessionId the session
     * @param limit page size
     * @return the newest messages, newest first ({@code ORDER BY sequence_number DESC LIMIT ?})
     */
    List<MessageRow> findByChatSessionIdOrderBySequenceNumberDesc(java.util.UUID chatSessionId, Limit limit);

    /**
     * @param chatSessionId the session
     * @param after exclusive lower bound on the sequence number
     * @param limit page size
     * @return the keyset page after {@code after}, oldest first
     */
    List<MessageRow> findByChatSessionIdAndSequenceNumberGreaterThanOrderBySequenceNumberAsc(
            java.util.UUID chatSessionId, long after, Limit limit);

    /**
     * @param sessionIds the sessions
     * @return the last message of each of them that has one
     */
    @Query("SELECT DISTINCT ON (chat_session_id) * FROM messages WHERE chat_session_id IN (:ids)"
            + " ORDER BY chat_session_id, sequence_number DESC")
    List<MessageRow> findLastMessages(@Param("ids") Collection<java.util.UUID> sessionIds);
}

package dev.dal.benchmarks.spring.mongo;

import java.util.Collection;
import java.util.List;
import org.springframework.data.domain.Limit;
import org.springframework.data.mongodb.repository.Aggregation;
import org.springframework.data.mongodb.repository.MongoRepository;

/** Messages: {@code saveAll} for writes, derived queries for the pages, one {@code @Aggregation} for the overview. */
public interface MessageDocRepository extends MongoRepository<MessageDoc, String> {
    /**
     * @param sessionId the session
     * @param limit page size
     * @return the newest messages, newest first
     */
    List<MessageDoc> findBySessionIdOrderBySequenceNumberDesc(String sessionId, Limit limit);

    /**
     * @param sessionId the session
     * @param after exclusive lower bound on the sequence number
     * @param limit page size
     * @return the keyset page after {@code after}, oldest first
     */
    List<MessageDoc> findBySessionIdAndSequenceNumberGreaterThanOrderBySequenceNumberAsc(
            String sessionId, long after, Limit limit);

    /**
     * @param sessionIds the sessions
     * @return the last message of each of them that has one
     */
    @Aggregation(
            pipeline = {
                "{ '$match': { 'session_id': { '$in': ?0 } } }",
                "{ '$sort': { 'session_id': 1, 'sequence_number': -1 } }",
                "{ '$group': { '_id': '$session_id', 'last': { '$first': '$$ROOT' } } }",
                "{ '$replaceRoot': { 'newRoot': '$last' } }"
            })
    List<MessageDoc> findLastMessages(Collection<String> sessionIds);
}

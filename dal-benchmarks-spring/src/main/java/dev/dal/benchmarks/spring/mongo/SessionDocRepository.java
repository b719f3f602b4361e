package dev.dal.benchmarks.spring.mongo;

import java.util.List;
import java.util.Optional;
import org.springframework.data.domain.Limit;
import org.springframework.data.mongodb.repository.MongoRepository;

/** Sessions, by derived queries. */
public interface SessionDocRepository extends MongoRepository<SessionDoc, String> {
    /**
     * @param chatId the caller's key
     * @return the session
     */
    Optional<SessionDoc> findByChatId(String chatId);

    /**
     * @param userId the owner
     * @param limit how many
     * @return the user's sessions, most recently active first (Dal's order: last activity, then id, descending)
     */
    List<SessionDoc> findByUserIdOrderByLastActivityAtDescIdDesc(String userId, Limit limit);
}

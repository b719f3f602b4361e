package dev.dal.benchmarks.spring.jdbc;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.domain.Limit;
import org.springframework.data.relational.core.sql.LockMode;
import org.springframework.data.relational.repository.Lock;
import org.springframework.data.repository.ListCrudRepository;

/** Sessions, by derived queries. */
public interface SessionRepository extends ListCrudRepository<SessionRow, UUID> {
    /**
     * @param chatId the caller's key
     * @return the session, its row locked ({@code SELECT … FOR UPDATE}) until the transaction ends, so two appends
     *     to one session take distinct sequence numbers
     */
    @Lock(LockMode.PESSIMISTIC_WRITE)
    Optional<SessionRow> findForUpdateByChatId(String chatId);

    /**
     * @param chatId the caller's key
     * @return the session
     */
    Optional<SessionRow> findByChatId(String chatId);

    /**
     * @param userId the owner
     * @param limit how many
     * @return the user's sessions, most recently active first
     */
    List<SessionRow> findByUserIdOrderByLastMessageAtDescIdDesc(UUID userId, Limit limit);
}

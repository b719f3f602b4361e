package dev.dal.neo4j.internal;

import dev.dal.api.ConfigurationException;
import dev.dal.api.DataAccessException;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.TransientDataAccessException;
import dev.dal.api.UnavailableException;
import dev.dal.api.ValidationException;
import java.util.Locale;
import org.neo4j.driver.exceptions.AuthenticationException;
import org.neo4j.driver.exceptions.ClientException;
import org.neo4j.driver.exceptions.FatalDiscoveryException;
import org.neo4j.driver.exceptions.Neo4jException;
import org.neo4j.driver.exceptions.RetryableException;
import org.neo4j.driver.exceptions.SecurityException;
import org.neo4j.driver.exceptions.ServiceUnavailableException;
import org.neo4j.driver.exceptions.SessionExpiredException;
import org.neo4j.driver.exceptions.TransientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns driver errors into Dal's exceptions, by type and Neo4j status code. The server's message is
 * logged at debug level, never passed on: it quotes the values that broke a constraint. The
 * driver's exception is never attached as a cause either.
 */
final class Neo4jErrors {
    private static final Logger LOG = LoggerFactory.getLogger(Neo4jErrors.class);
    private static final String CONSTRAINT_FAILED = "Neo.ClientError.Schema.ConstraintValidationFailed";

    private Neo4jErrors() {
    }

    static DataAccessException translate(String operation, Throwable failure) {
        if (failure instanceof DataAccessException dal) {
            return dal;
        }
        String code = failure instanceof Neo4jException n ? n.code() : null;
        LOG.debug("Neo4j error during {} ({})", operation, code, failure);
        if (failure instanceof ServiceUnavailableException) {
            return new UnavailableException("Neo4j is unavailable during " + operation
                    + " (no server answered, or no connection became free in time)");
        }
        if (failure instanceof SessionExpiredException) {
            return new TransientDataAccessException("The Neo4j session expired during " + operation
                    + " (leader switch or lost connection); retry", null);
        }
        if (failure instanceof TransientException) {
            return new TransientDataAccessException("Transient Neo4j failure during " + operation + " (" + code
                    + "); retry", null);
        }
        if (failure instanceof AuthenticationException) {
            return new ConfigurationException("The Neo4j server refused the credentials (check NEO4J_USER and "
                    + "NEO4J_PASSWORD)");
        }
        if (failure instanceof FatalDiscoveryException) {
            return new ConfigurationException("The Neo4j database could not be found (check NEO4J_DATABASE or "
                    + "DB_NAME) during " + operation);
        }
        if (failure instanceof SecurityException) {
            return new UnavailableException("Neo4j refused access during " + operation + " (" + code + ")");
        }
        if (failure instanceof ClientException && CONSTRAINT_FAILED.equals(code)) {
            return duplicate(failure.getMessage());
        }
        if (failure instanceof ClientException && code != null && code.contains("TypeError")) {
            return new ValidationException(operation, "a value has a type the Neo4j store cannot hold");
        }
        LOG.warn("Neo4j error during {} ({})", operation, code, failure);
        return new DataAccessException("Neo4j store failed during " + operation + (code == null ? "" : " (" + code + ")"));
    }

    /** Names the key by the property the server names; never repeats the server's text (it quotes values). */
    private static DuplicateKeyException duplicate(String serverMessage) {
        String text = serverMessage == null ? "" : serverMessage.toLowerCase(Locale.ROOT);
        if (text.contains("`external_id`")) {
            return new DuplicateKeyException("Another user already has this externalId");
        }
        if (text.contains("`chat_id`")) {
            return new DuplicateKeyException("A chat session with this chatId already exists");
        }
        if (text.contains("`sequence_number`")) {
            return new DuplicateKeyException("The session already holds another message at this sequence number");
        }
        if (text.contains("`memory_type`")) {
            return new DuplicateKeyException("A memory entry with this user, type and key already exists");
        }
        if (text.contains("label `user`")) {
            return new DuplicateKeyException("A user with this id already exists");
        }
        if (text.contains("label `chatsession`")) {
            return new DuplicateKeyException("A chat session with this id already exists");
        }
        if (text.contains("label `message`")) {
            return new DuplicateKeyException("A message with this id already exists");
        }
        return new DuplicateKeyException("A unique key is already taken");
    }

    /** @return whether the driver's transaction functions retry this failure */
    static boolean isRetryable(Throwable failure) {
        return failure instanceof RetryableException;
    }
}

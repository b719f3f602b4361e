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

    /**
     * The failure of a store's first contact with the server, named as the open (a caller who only
     * wanted health or a copy learns what failed, not which internal read).
     *
     * @param uri the configured URI (never holds credentials); {@code null} for an application's driver
     * @param failure what the driver threw
     * @return Dal's exception; the driver's is not attached
     */
    static DataAccessException openFailure(String uri, Throwable failure) {
        String target = uri == null ? "the Neo4j store (on the application's driver)" : "the Neo4j store at " + hostOnly(uri);
        String code = failure instanceof Neo4jException n ? n.code() : null;
        if (failure instanceof ServiceUnavailableException) {
            LOG.debug("Neo4j error while opening the store ({})", code, failure);
            return new UnavailableException("Could not open " + target + ": unavailable (no server answered within "
                    + Neo4jSettings.NEO4J_CONNECTION_TIMEOUT + ", retried for " + Neo4jSettings.NEO4J_MAX_TRANSACTION_RETRY_TIME
                    + ")");
        }
        DataAccessException translated = translate("opening the store", failure);
        if (translated instanceof ConfigurationException) {
            return new ConfigurationException("Could not open " + target + ": " + lowerFirst(translated.getMessage()));
        }
        if (translated instanceof UnavailableException) {
            return new UnavailableException("Could not open " + target + ": " + lowerFirst(translated.getMessage()));
        }
        return translated;
    }

    private static String lowerFirst(String text) {
        return text.isEmpty() ? text : Character.toLowerCase(text.charAt(0)) + text.substring(1);
    }

    /** Scheme, host and port only: nothing else of a URI reaches a message. */
    private static String hostOnly(String uri) {
        try {
            java.net.URI parsed = new java.net.URI(uri);
            return parsed.getScheme() + "://" + parsed.getHost() + (parsed.getPort() < 0 ? "" : ":" + parsed.getPort());
        } catch (java.net.URISyntaxException e) {
            return "the configured " + dev.dal.api.DalConfig.NEO4J_URI;
        }
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

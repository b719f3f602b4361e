package dev.dal.neo4j.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.ConcurrencyConflictException;
import dev.dal.api.ConfigurationException;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccessException;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.OutcomeUnknownException;
import dev.dal.api.Retryable;
import dev.dal.api.TransientDataAccessException;
import dev.dal.api.UnavailableException;
import dev.dal.api.spi.SanitizedCause;
import java.net.ConnectException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.neo4j.driver.exceptions.AuthenticationException;
import org.neo4j.driver.exceptions.ClientException;
import org.neo4j.driver.exceptions.ConnectionReadTimeoutException;
import org.neo4j.driver.exceptions.FatalDiscoveryException;
import org.neo4j.driver.exceptions.ServiceUnavailableException;
import org.neo4j.driver.exceptions.SessionExpiredException;
import org.neo4j.driver.exceptions.TransientException;

/**
 * The failure table row by row, on the driver's own exception types and status codes: each driver
 * failure becomes the table's exception, with a sanitized cause and none of the driver's text (the
 * messages below stand for server text that quotes a value).
 */
class Neo4jErrorsTest {
    private static final String VALUE = "quoted-user-value-4711";
    private static final Duration LIMIT = Duration.ofSeconds(2);

    private static DataAccessException translate(Throwable failure, boolean commitSent) {
        DataAccessException translated = Neo4jErrors.translate("op", failure, commitSent, false, LIMIT);
        assertThat(translated.getMessage()).doesNotContain(VALUE);
        for (Throwable c = translated.getCause(); c != null; c = c.getCause()) {
            assertThat(c).isInstanceOf(SanitizedCause.class);
            assertThat(c.getMessage()).doesNotContain(VALUE);
        }
        return translated;
    }

    @Test
    void aConnectThatFailsIsUnavailableAndABrokenConnectionIsLost() {
        ServiceUnavailableException refused =
                new ServiceUnavailableException("Unable to connect to " + VALUE, new ConnectException(VALUE));
        assertThat(translate(refused, true))
                .isInstanceOf(UnavailableException.class)
                .isNotInstanceOf(Retryable.class)
                .hasMessageContaining(DalConfig.DB_CONNECT_TIMEOUT);

        ServiceUnavailableException broken =
                new ServiceUnavailableException("Connection to the database terminated " + VALUE);
        assertThat(translate(broken, false)).isInstanceOf(TransientDataAccessException.class);
        assertThat(translate(broken, true)).isInstanceOf(OutcomeUnknownException.class);
        assertThat(translate(new SessionExpiredException(VALUE), false))
                .isInstanceOf(TransientDataAccessException.class);
        assertThat(translate(new SessionExpiredException(VALUE), true)).isInstanceOf(OutcomeUnknownException.class);
    }

    @Test
    @SuppressWarnings("deprecation") // the driver's own constructor, as it raises the exception
    void timeoutsAreLostWithTheDeadlineNamedAndDefiniteWhenTheServerEndedTheTransaction() {
        DataAccessException clientBound =
                Neo4jErrors.translate("op", new ServiceUnavailableException(VALUE), true, true, LIMIT);
        assertThat(clientBound)
                .isInstanceOf(OutcomeUnknownException.class)
                .hasMessageContaining(DalConfig.DB_QUERY_TIMEOUT);
        assertThat(Neo4jErrors.translate("op", new ServiceUnavailableException(VALUE), false, true, LIMIT))
                .isInstanceOf(TransientDataAccessException.class)
                .hasMessageContaining(DalConfig.DB_QUERY_TIMEOUT);
        assertThat(translate(new ConnectionReadTimeoutException(VALUE), false))
                .isInstanceOf(TransientDataAccessException.class);

        for (String code : new String[] {
            "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
            "Neo.TransientError.Transaction.TransactionTimedOut"
        }) {
            TransientException serverTimeout = new TransientException(code, VALUE);
            assertThat(translate(serverTimeout, true))
                    .as(code)
                    .isInstanceOf(TransientDataAccessException.class)
                    .isNotInstanceOf(OutcomeUnknownException.class)
                    .hasMessageContaining(DalConfig.DB_QUERY_TIMEOUT);
            assertThat(Neo4jErrors.spentDeadline(serverTimeout)).isTrue();
        }
        TransientException lockWait =
                new TransientException("Neo.TransientError.Transaction.LockAcquisitionTimeout", VALUE);
        assertThat(translate(lockWait, false))
                .isInstanceOf(TransientDataAccessException.class)
                .hasMessageContaining("lock")
                .hasMessageContaining("2000 ms");
        assertThat(Neo4jErrors.spentDeadline(lockWait)).isTrue();
    }

    @Test
    @SuppressWarnings("deprecation") // the driver's own constructor, as it raises the exception
    void serverCodesMapToTheirMeaning() {
        assertThat(translate(new TransientException("Neo.TransientError.Transaction.DeadlockDetected", VALUE), false))
                .isInstanceOf(ConcurrencyConflictException.class)
                .isInstanceOf(Retryable.class);
        // A node the statement had found, deleted by a concurrent transaction (a replicated deletion) before it
        // could lock it: the two writers conflicted, the caller may retry.
        assertThat(translate(
                        new ClientException("Neo.ClientError.Statement.EntityNotFound", "Node with id 7 " + VALUE),
                        false))
                .isInstanceOf(ConcurrencyConflictException.class)
                .isInstanceOf(Retryable.class);
        assertThat(translate(new TransientException("Neo.TransientError.Transaction.Outdated", VALUE), false))
                .isInstanceOf(ConcurrencyConflictException.class)
                .isInstanceOf(Retryable.class);
        assertThat(translate(new TransientException("Neo.TransientError.Database.DatabaseUnavailable", VALUE), false))
                .isInstanceOf(TransientDataAccessException.class)
                .hasMessageContaining("starting up or shutting down");
        assertThat(translate(new TransientException("Neo.TransientError.Cluster.NotALeader", VALUE), false))
                .isInstanceOf(TransientDataAccessException.class)
                .hasMessageContaining("Neo.TransientError.Cluster.NotALeader");
        assertThat(translate(new AuthenticationException("Neo.ClientError.Security.Unauthorized", VALUE), false))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("NEO4J_USER");
        assertThat(translate(new FatalDiscoveryException("Neo.ClientError.Database.DatabaseNotFound", VALUE), false))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining(Neo4jSettings.NEO4J_DATABASE.name());
        assertThat(translate(
                        new ClientException(
                                "Unable to acquire connection from the pool within configured maximum time"),
                        false))
                .isInstanceOf(UnavailableException.class)
                .hasMessageContaining(DalConfig.DB_MAX_CONNECTIONS);
        assertThat(translate(
                        new ClientException(
                                "Neo.ClientError.Schema.ConstraintValidationFailed",
                                "Node(1) already exists with label `User` and property `external_id` = '" + VALUE
                                        + "'"),
                        false))
                .isInstanceOf(DuplicateKeyException.class)
                .hasMessageContaining("externalId");
    }

    @Test
    void anythingElseIsUnexpectedWithItsCodeAndASanitizedCause() {
        DataAccessException unexpected =
                translate(new ClientException("Neo.ClientError.Statement.SyntaxError", VALUE), false);
        assertThat(unexpected.getClass()).isEqualTo(DataAccessException.class);
        assertThat(unexpected)
                .hasMessageContaining("Neo.ClientError.Statement.SyntaxError")
                .hasCauseInstanceOf(SanitizedCause.class);
        assertThat(((SanitizedCause) unexpected.getCause()).originalClass()).isEqualTo(ClientException.class.getName());
    }
}

package dev.dal.mongo.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.MongoCommandException;
import com.mongodb.MongoCredential;
import com.mongodb.MongoException;
import com.mongodb.MongoNodeIsRecoveringException;
import com.mongodb.MongoNotPrimaryException;
import com.mongodb.MongoSecurityException;
import com.mongodb.MongoSocketOpenException;
import com.mongodb.MongoSocketReadException;
import com.mongodb.MongoSocketReadTimeoutException;
import com.mongodb.MongoSocketWriteException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.ServerAddress;
import dev.dal.api.ConcurrencyConflictException;
import dev.dal.api.ConfigurationException;
import dev.dal.api.DataAccessException;
import dev.dal.api.OutcomeUnknownException;
import dev.dal.api.TransientDataAccessException;
import dev.dal.api.UnavailableException;
import dev.dal.api.spi.SanitizedCause;
import java.net.SocketTimeoutException;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.junit.jupiter.api.Test;

/**
 * Each row of the failure table, from the driver exception the sync driver throws for it; the
 * ones a test server cannot produce (authentication, a recovering node, write conflicts) included.
 */
class MongoErrorsTest {
    private static final String SECRET = "Sup3rS3cret";
    private static final ServerAddress SERVER = new ServerAddress("db.example", 27017);
    private static final java.time.Duration LIMIT = java.time.Duration.ofSeconds(1);
    private static final MongoErrors.Context WRITE_ON_THE_WIRE =
            new MongoErrors.Context(true, new MongoConnection.Mark(1, 0), LIMIT);
    private static final MongoErrors.Context WRITE_BEFORE_CONNECTING =
            new MongoErrors.Context(true, new MongoConnection.Mark(0, 0), LIMIT);
    private static final MongoErrors.Context READ_ON_THE_WIRE =
            new MongoErrors.Context(false, new MongoConnection.Mark(1, 0), LIMIT);

    private static MongoCommandException command(int code, String name, String... labels) {
        BsonDocument reply = new BsonDocument("ok", new BsonInt32(0))
                .append("code", new BsonInt32(code))
                .append("codeName", new BsonString(name))
                .append("errmsg", new BsonString("value " + SECRET + " in the server's text"));
        if (labels.length > 0) {
            BsonArray array = new BsonArray();
            for (String label : labels) {
                array.add(new BsonString(label));
            }
            reply.append("errorLabels", array);
        }
        return new MongoCommandException(reply, SERVER);
    }

    private static DataAccessException translate(MongoException e, MongoErrors.Context context) {
        DataAccessException translated = MongoErrors.translate("op", e, context);
        for (Throwable t = translated; t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage())).doesNotContain(SECRET).doesNotContain("server's text");
            if (t != translated) {
                assertThat(t).isInstanceOf(SanitizedCause.class);
            }
        }
        return translated;
    }

    @Test
    void refusedAndNoServerInTimeAreUnavailable() {
        assertThat(translate(new MongoSocketOpenException("refused", SERVER), WRITE_BEFORE_CONNECTING))
                .isExactlyInstanceOf(UnavailableException.class)
                .hasMessageContaining("DB_CONNECT_TIMEOUT");
        assertThat(translate(
                        new MongoTimeoutException("Timed out while waiting for a server " + SECRET), READ_ON_THE_WIRE))
                .isExactlyInstanceOf(UnavailableException.class)
                .hasMessageContaining("DB_CONNECT_TIMEOUT");
    }

    @Test
    void aLostConnectionIsTransientBeforeAWriteWasSentAndOutcomeUnknownAfter() {
        var broke = new MongoSocketReadException("Exception receiving message " + SECRET, SERVER);
        assertThat(translate(broke, READ_ON_THE_WIRE))
                .isExactlyInstanceOf(TransientDataAccessException.class)
                .hasMessageContaining("broke");
        assertThat(translate(broke, WRITE_ON_THE_WIRE)).isExactlyInstanceOf(OutcomeUnknownException.class);
        // Failing while connecting (the handshake), nothing of the write was sent.
        assertThat(translate(broke, WRITE_BEFORE_CONNECTING)).isExactlyInstanceOf(TransientDataAccessException.class);
        // A failed socket write of the only command: the server never saw a whole message.
        var unsent = new MongoSocketWriteException("Exception sending message", SERVER, new java.io.IOException());
        assertThat(translate(unsent, WRITE_ON_THE_WIRE)).isExactlyInstanceOf(TransientDataAccessException.class);
        // ... but after an earlier step of the same call went through, something may have been stored.
        assertThat(translate(unsent, new MongoErrors.Context(true, new MongoConnection.Mark(2, 0), LIMIT)))
                .isExactlyInstanceOf(OutcomeUnknownException.class);

        var timedOut = new MongoSocketReadTimeoutException("Timeout", SERVER, new SocketTimeoutException());
        assertThat(translate(timedOut, READ_ON_THE_WIRE))
                .isExactlyInstanceOf(TransientDataAccessException.class)
                .hasMessageContaining("DB_QUERY_TIMEOUT");
        assertThat(translate(timedOut, WRITE_ON_THE_WIRE))
                .isExactlyInstanceOf(OutcomeUnknownException.class)
                .hasMessageContaining("DB_QUERY_TIMEOUT");
    }

    @Test
    void rejectedCredentialsAreConfigurationNamingTheSettingButANetworkFailureDuringTheHandshakeIsNot() {
        MongoCredential credential = MongoCredential.createCredential("dal", "admin", SECRET.toCharArray());
        assertThat(translate(
                        new MongoSecurityException(
                                credential,
                                "Exception authenticating " + credential,
                                command(18, "AuthenticationFailed")),
                        READ_ON_THE_WIRE))
                .isExactlyInstanceOf(ConfigurationException.class)
                .hasMessageContaining("MONGODB_URL");
        assertThat(translate(
                        new MongoSecurityException(
                                credential,
                                "Exception authenticating",
                                new MongoSocketReadTimeoutException("Timeout", SERVER, new SocketTimeoutException())),
                        READ_ON_THE_WIRE))
                .isExactlyInstanceOf(TransientDataAccessException.class);
    }

    @Test
    void aNodeStartingStoppingOrNotPrimaryIsTransient() {
        BsonDocument shuttingDown = new BsonDocument("ok", new BsonInt32(0))
                .append("code", new BsonInt32(91))
                .append("errmsg", new BsonString("shutdown in progress"));
        assertThat(translate(new MongoNodeIsRecoveringException(shuttingDown, SERVER), WRITE_ON_THE_WIRE))
                .isExactlyInstanceOf(TransientDataAccessException.class)
                .hasMessageContaining("starting up or shutting down");
        BsonDocument notPrimary = new BsonDocument("ok", new BsonInt32(0))
                .append("code", new BsonInt32(10107))
                .append("errmsg", new BsonString("not primary"));
        assertThat(translate(new MongoNotPrimaryException(notPrimary, SERVER), WRITE_ON_THE_WIRE))
                .isExactlyInstanceOf(TransientDataAccessException.class);
        assertThat(translate(command(11600, "InterruptedAtShutdown"), READ_ON_THE_WIRE))
                .isExactlyInstanceOf(TransientDataAccessException.class);
    }

    @Test
    void writeConflictsAndAbortedTransactionsAreConflictsTheRetryPolicyReruns() {
        assertThat(translate(command(112, "WriteConflict", MongoErrors.TRANSIENT_TRANSACTION_ERROR), READ_ON_THE_WIRE))
                .isExactlyInstanceOf(ConcurrencyConflictException.class)
                .isInstanceOf(dev.dal.api.Retryable.class);
        assertThat(translate(
                        command(251, "NoSuchTransaction", MongoErrors.TRANSIENT_TRANSACTION_ERROR), READ_ON_THE_WIRE))
                .isExactlyInstanceOf(ConcurrencyConflictException.class);
        assertThat(translate(command(50, "MaxTimeMSExpired", MongoErrors.UNKNOWN_COMMIT_RESULT), WRITE_ON_THE_WIRE))
                .isExactlyInstanceOf(OutcomeUnknownException.class);
    }

    @Test
    void aWriteTheServerEndedAtItsTimeLimitWaitingForALockStoredNothing() {
        // The server's MaxTimeMSExpired: it answered, so the outcome is known.
        assertThat(translate(command(50, "MaxTimeMSExpired"), WRITE_ON_THE_WIRE))
                .isExactlyInstanceOf(TransientDataAccessException.class)
                .hasMessageContaining("lock")
                .hasMessageContaining("DB_QUERY_TIMEOUT")
                .hasMessageContaining("nothing was");
        assertThat(translate(command(50, "MaxTimeMSExpired"), READ_ON_THE_WIRE))
                .isExactlyInstanceOf(TransientDataAccessException.class);
        // After an earlier step of the same call wrote, the call's outcome is partly unknown.
        assertThat(translate(
                        command(50, "MaxTimeMSExpired"),
                        new MongoErrors.Context(true, new MongoConnection.Mark(2, 0), LIMIT)))
                .isExactlyInstanceOf(OutcomeUnknownException.class);
    }

    @Test
    void aPoolThatHadNoFreeConnectionInTimeIsPoolExhausted() {
        assertThat(translate(
                        new MongoTimeoutException("Timed out while waiting for a connection"),
                        new MongoErrors.Context(false, new MongoConnection.Mark(0, 1), LIMIT)))
                .isExactlyInstanceOf(UnavailableException.class)
                .hasMessageContaining("DB_MAX_CONNECTIONS")
                .hasMessageContaining("DB_CONNECTION_TIMEOUT");
    }

    @Test
    void whatNoRuleCoversIsAPlainDataAccessExceptionWithTheCodeAndASanitizedCause() {
        DataAccessException other = translate(command(2, "BadValue"), READ_ON_THE_WIRE);
        assertThat(other).isExactlyInstanceOf(DataAccessException.class).hasMessageContaining("code 2");
        assertThat(other.getCause()).isInstanceOf(SanitizedCause.class);
        assertThat(((SanitizedCause) other.getCause()).originalClass())
                .isEqualTo(MongoCommandException.class.getName());
    }
}

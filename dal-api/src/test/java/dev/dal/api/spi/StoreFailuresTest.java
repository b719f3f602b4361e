package dev.dal.api.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.ConcurrencyConflictException;
import dev.dal.api.ConfigurationException;
import dev.dal.api.DataAccessException;
import dev.dal.api.OutcomeUnknownException;
import dev.dal.api.Retryable;
import dev.dal.api.TransientDataAccessException;
import dev.dal.api.UnavailableException;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class StoreFailuresTest {
    private static final StoreFailures PG = StoreFailures.of("PostgreSQL");
    private static final String SECRET = "INSERT INTO messages VALUES ('my secret text') password=hunter2";
    private static final IOException DRIVER = new IOException(SECRET, new IllegalStateException(SECRET));

    @Test
    void eachFailureRaisesTheTablesException() {
        assertThat(PG.unreachable("getUser", DRIVER))
                .isInstanceOf(UnavailableException.class)
                .hasMessageContaining("DB_CONNECT_TIMEOUT");
        assertThat(PG.lost("getUser", false, true, DRIVER))
                .isExactlyInstanceOf(TransientDataAccessException.class)
                .hasMessageContaining("DB_QUERY_TIMEOUT");
        assertThat(PG.lost("addMessages", true, false, DRIVER))
                .isInstanceOf(OutcomeUnknownException.class)
                .isNotInstanceOf(Retryable.class)
                .hasMessageContaining("same ids");
        assertThat(PG.lockTimeout("updateUser", Duration.ofSeconds(1), null))
                .isInstanceOf(Retryable.class)
                .hasMessageContaining("1000 ms");
        assertThat(PG.authenticationFailed("DB_USER", DRIVER))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("DB_USER");
        assertThat(PG.unknownDatabase("DB_NAME", DRIVER))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("DB_NAME");
        assertThat(PG.serverNotReady("getUser", DRIVER)).isInstanceOf(TransientDataAccessException.class);
        assertThat(PG.conflict("inTransaction", DRIVER))
                .isInstanceOf(ConcurrencyConflictException.class)
                .isInstanceOf(Retryable.class);
        assertThat(PG.poolExhausted("getUser", DRIVER))
                .isInstanceOf(UnavailableException.class)
                .hasMessageContaining("DB_MAX_CONNECTIONS")
                .hasMessageContaining("DB_CONNECTION_TIMEOUT");
        assertThat(PG.schemaNotCurrent("no schema"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("DB_AUTO_MIGRATE")
                .hasMessageContaining("dal schema migrate");
    }

    @Test
    void noMessageOrCauseCarriesTheDriversText() {
        DataAccessException[] all = {
            PG.unreachable("op", DRIVER),
            PG.lost("op", true, true, DRIVER),
            PG.authenticationFailed("DB_USER", DRIVER),
            PG.unexpected("op", "XX000", DRIVER)
        };
        for (DataAccessException e : all) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                assertThat(String.valueOf(t.getMessage())).doesNotContain("secret", "hunter2");
                assertThat(t.toString()).doesNotContain("secret", "hunter2");
            }
        }
    }

    @Test
    void aSanitizedCauseKeepsClassNamesCodesAndFramesButNoMessage() {
        SanitizedCause cause = SanitizedCause.of(DRIVER, "08006");

        assertThat(cause.originalClass()).isEqualTo(IOException.class.getName());
        assertThat(cause.getMessage()).isEqualTo("java.io.IOException (08006)");
        assertThat(cause.getStackTrace()).isEqualTo(DRIVER.getStackTrace());
        assertThat(cause.getCause())
                .isInstanceOf(SanitizedCause.class)
                .hasMessage(IllegalStateException.class.getName());
        assertThat(SanitizedCause.of(null)).isNull();
        assertThat(SanitizedCause.of(cause)).isSameAs(cause);
    }
}

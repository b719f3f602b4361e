package dev.dal.examples.chatservice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.ConcurrencyConflictException;
import dev.dal.api.ConfigurationException;
import dev.dal.api.DataAccessException;
import dev.dal.api.OutcomeUnknownException;
import dev.dal.api.TransientDataAccessException;
import dev.dal.api.UnavailableException;
import dev.dal.examples.chatservice.DalErrorHandler.ErrorBody;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;

/**
 * The store failures a running file store does not produce on demand: a failure that may pass is 503 with
 * {@code Retry-After}, any other 500, and neither body carries the exception's text.
 */
class ChatServiceErrorsTest {
    private final DalErrorHandler handler = new DalErrorHandler();

    @Test
    void aFailureThatMayPassIs503WithRetryAfter() {
        for (DataAccessException e : List.of(
                new UnavailableException("store-host:5432 refused"),
                new TransientDataAccessException("connection reset while reading", null),
                new ConcurrencyConflictException("serialization failure", null),
                new OutcomeUnknownException("no answer after the write was sent", null))) {
            ResponseEntity<ErrorBody> answer = handler.failed(e);
            assertThat(answer.getStatusCode().value())
                    .as(e.getClass().getSimpleName())
                    .isEqualTo(503);
            assertThat(answer.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("1");
            assertThat(answer.getBody())
                    .isEqualTo(new ErrorBody(503, "unavailable", "The store is unavailable; retry later", null));
        }
    }

    @Test
    void anyOtherStoreFailureIs500WithoutItsText() {
        ResponseEntity<ErrorBody> answer = handler.failed(new ConfigurationException("DB_USER was rejected"));
        assertThat(answer.getStatusCode().value()).isEqualTo(500);
        assertThat(answer.getBody()).isEqualTo(new ErrorBody(500, "internal_error", "The request failed", null));
    }
}

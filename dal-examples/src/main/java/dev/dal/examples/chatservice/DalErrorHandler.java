package dev.dal.examples.chatservice;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonMappingException;
import dev.dal.api.DataAccessException;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.NotFoundException;
import dev.dal.api.OutcomeUnknownException;
import dev.dal.api.Retryable;
import dev.dal.api.UnavailableException;
import dev.dal.api.ValidationException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/**
 * Turns Dal's exceptions into HTTP statuses with a small JSON {@link ErrorBody}. The body carries a fixed text
 * per kind of error and, for a bad request, the field Dal named; never a stack trace, an exception's class or a
 * store's message.
 *
 * <table>
 * <caption>Statuses</caption>
 * <tr><th>exception</th><th>status</th><th>{@code error}</th></tr>
 * <tr><td>{@link ValidationException}, an unreadable body, a malformed parameter</td><td>400</td>
 *     <td>{@code invalid_request}, with {@code field}</td></tr>
 * <tr><td>{@link NotFoundException}</td><td>404</td><td>{@code not_found}</td></tr>
 * <tr><td>{@link DuplicateKeyException}</td><td>409</td><td>{@code conflict}, with {@code field}</td></tr>
 * <tr><td>{@link UnavailableException}, any {@link Retryable} (transient failures, concurrency conflicts),
 *     {@link OutcomeUnknownException}</td><td>503, {@code Retry-After: 1}</td><td>{@code unavailable}</td></tr>
 * <tr><td>any other {@link DataAccessException}</td><td>500</td><td>{@code internal_error}</td></tr>
 * </table>
 *
 * <p>Server-side failures are logged with their stack (Dal's messages and causes hold no values); client errors
 * are not logged.
 */
@RestControllerAdvice
public class DalErrorHandler {
    private static final Logger LOG = LoggerFactory.getLogger(DalErrorHandler.class);

    /** Created by Spring. */
    public DalErrorHandler() {}

    /**
     * The JSON body of every error answer.
     *
     * @param status the HTTP status code
     * @param error a fixed code: {@code invalid_request}, {@code not_found}, {@code conflict}, {@code unavailable}
     *     or {@code internal_error}
     * @param message a fixed sentence for people
     * @param field the request field or parameter at fault, or {@code null}
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ErrorBody(int status, String error, String message, String field) {}

    /**
     * @param e Dal's rejection of a value, before any store was touched
     * @return 400 naming the field and the rule
     */
    @ExceptionHandler(ValidationException.class)
    public ResponseEntity<ErrorBody> invalid(ValidationException e) {
        // The rule is Dal's fixed text ("must be one of user, assistant, ..."); it never quotes the value.
        return badRequest(e.field(), e.field() + " " + e.rule());
    }

    /**
     * @param e a body that is not JSON, or a value of the wrong type in it
     * @return 400 naming the field when Jackson knows it, else {@code body}
     */
    @ExceptionHandler(HttpMessageNotReadableException.class)
    public ResponseEntity<ErrorBody> unreadable(HttpMessageNotReadableException e) {
        String field = e.getCause() instanceof JsonMappingException mapping
                        && !mapping.getPath().isEmpty()
                ? mapping.getPath().stream()
                        .map(JsonMappingException.Reference::getFieldName)
                        .collect(Collectors.joining("."))
                : "body";
        return badRequest(field, "body".equals(field) ? "body must be a JSON object" : field + " has the wrong type");
    }

    /**
     * @param e a path or query parameter of the wrong type, e.g. {@code limit=ten}
     * @return 400 naming the parameter
     */
    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    public ResponseEntity<ErrorBody> mistyped(MethodArgumentTypeMismatchException e) {
        return badRequest(e.getName(), e.getName() + " has the wrong type");
    }

    /**
     * @param e a user or chat that does not exist
     * @return 404
     */
    @ExceptionHandler(NotFoundException.class)
    public ResponseEntity<ErrorBody> notFound(NotFoundException e) {
        return body(HttpStatus.NOT_FOUND, "not_found", "The user or chat this request names does not exist", null);
    }

    /**
     * @param e a unique key already taken
     * @return 409 naming the key's field when it is one a client sends
     */
    @ExceptionHandler(DuplicateKeyException.class)
    public ResponseEntity<ErrorBody> duplicate(DuplicateKeyException e) {
        String field = switch (e.key()) {
            case EXTERNAL_ID -> "externalId";
            case CHAT_ID -> "chatId";
            default -> null;
        };
        return body(HttpStatus.CONFLICT, "conflict", e.key().text(), field);
    }

    /**
     * @param e any other failure of the store
     * @return 503 for a failure that may pass, else 500
     */
    @ExceptionHandler(DataAccessException.class)
    public ResponseEntity<ErrorBody> failed(DataAccessException e) {
        boolean passing =
                e instanceof UnavailableException || e instanceof Retryable || e instanceof OutcomeUnknownException;
        if (passing) {
            LOG.warn("A request failed on the store; answered 503", e);
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                    .header(HttpHeaders.RETRY_AFTER, "1")
                    .body(new ErrorBody(503, "unavailable", "The store is unavailable; retry later", null));
        }
        LOG.error("A request failed on the store; answered 500", e);
        return body(HttpStatus.INTERNAL_SERVER_ERROR, "internal_error", "The request failed", null);
    }

    private static ResponseEntity<ErrorBody> badRequest(String field, String message) {
        return body(HttpStatus.BAD_REQUEST, "invalid_request", message, field);
    }

    private static ResponseEntity<ErrorBody> body(HttpStatus status, String error, String message, String field) {
        return ResponseEntity.status(status).body(new ErrorBody(status.value(), error, message, field));
    }
}

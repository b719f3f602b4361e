package dev.dal.api.spi;

import dev.dal.api.SearchHit;
import dev.dal.api.SearchPage;
import dev.dal.api.ValidationException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * The cursors of full-text search pages, the same form in every store: the last hit's score and message
 * id, so the next page starts strictly after it in the order score descending, then message id's canonical
 * string descending. Decoding is strict: anything these methods did not encode is a
 * {@link ValidationException} on {@value #FIELD}.
 */
public final class SearchCursors {
    /** The field a bad cursor is reported on. */
    public static final String FIELD = "query.cursor";

    /**
     * Search order, for stores that rank in Java: score descending, then message id's canonical string descending.
     * {@link #isAfter} and {@link #page} assume it.
     */
    public static final Comparator<SearchHit> SEARCH_ORDER = Comparator.comparingDouble(SearchHit::score)
            .reversed()
            .thenComparing((SearchHit h) -> h.message().id().toString(), Comparator.reverseOrder());

    private static final String PREFIX = "s1:";

    private SearchCursors() {}

    /**
     * Where a search page resumes: after this hit.
     *
     * @param score the last hit's score
     * @param messageId the last hit's message id
     */
    public record Position(double score, UUID messageId) {
        /**
         * @param score the last hit's score
         * @param messageId the last hit's message id
         */
        public Position {
            Objects.requireNonNull(messageId, "messageId");
        }
    }

    /**
     * @param score the last hit's score
     * @param messageId the last hit's message id
     * @return the cursor of the page after that hit
     */
    public static String encode(double score, UUID messageId) {
        String text = PREFIX + Long.toHexString(Double.doubleToLongBits(score)) + ":" + messageId;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @param cursor a cursor from {@link #encode}
     * @return the position it names
     * @throws ValidationException when it is not such a cursor
     */
    public static Position decode(String cursor) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (!text.startsWith(PREFIX)) {
                throw bad();
            }
            String[] parts = text.substring(PREFIX.length()).split(":", -1);
            if (parts.length != 2) {
                throw bad();
            }
            double score = Double.longBitsToDouble(Long.parseUnsignedLong(parts[0], 16));
            UUID id = UUID.fromString(parts[1]);
            if (!id.toString().equals(parts[1]) || Double.isNaN(score)) {
                throw bad();
            }
            return new Position(score, id);
        } catch (IllegalArgumentException e) {
            throw bad();
        }
    }

    /**
     * @param position a page's resume position
     * @param score a hit's score
     * @param messageId the hit's message id
     * @return whether the hit comes after the position in search order
     */
    public static boolean isAfter(Position position, double score, UUID messageId) {
        int byScore = Double.compare(score, position.score());
        return byScore < 0
                || (byScore == 0
                        && messageId.toString().compareTo(position.messageId().toString()) < 0);
    }

    /**
     * Cuts a page from the hits a store read: a store asks for {@code limit + 1} hits in search order, and the
     * one past the limit only tells that another page follows.
     *
     * @param hits up to {@code limit + 1} hits, best first
     * @param limit the query's page size
     * @return the page, with the cursor of its last hit when more follow
     */
    public static SearchPage page(List<SearchHit> hits, int limit) {
        if (hits.size() <= limit) {
            return new SearchPage(hits, null);
        }
        SearchHit last = hits.get(limit - 1);
        return new SearchPage(
                hits.subList(0, limit), encode(last.score(), last.message().id()));
    }

    private static ValidationException bad() {
        return new ValidationException(FIELD, "is not a cursor a search returned");
    }
}

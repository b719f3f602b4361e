package dev.dal.api;

import java.util.List;

/**
 * A page of search hits, best first: by score descending, ties broken by the message id's canonical
 * string form, descending (newest first for Dal's ids).
 *
 * @param hits at most the query's limit
 * @param nextCursor the cursor of the page after this one, or {@code null} when this is the last page
 */
public record SearchPage(List<SearchHit> hits, String nextCursor) {

    /**
     * @param hits the page's hits, copied
     * @param nextCursor the next page's cursor, or {@code null}
     */
    public SearchPage {
        hits = List.copyOf(hits);
    }

    /** @return whether another page follows */
    public boolean hasMore() {
        return nextCursor != null;
    }
}

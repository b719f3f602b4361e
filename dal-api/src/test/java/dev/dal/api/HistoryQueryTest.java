package dev.dal.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HistoryQueryTest {

    /** @return the sequence numbers a window covers, as "first..last", or "empty" */
    private static String covered(HistoryQuery query, long messageCount) {
        long[] window = query.window(messageCount);
        assertThat(window).hasSize(2);
        return window[0] > window[1] ? "empty" : window[0] + ".." + window[1];
    }

    @Test
    void factoriesSetDirectionCursorAndLimit() {
        assertThat(HistoryQuery.latest(5)).isEqualTo(new HistoryQuery(HistoryQuery.Direction.LATEST, 0, 5));
        assertThat(HistoryQuery.after(3, 5)).isEqualTo(new HistoryQuery(HistoryQuery.Direction.AFTER, 3, 5));
        assertThat(HistoryQuery.before(9, 5)).isEqualTo(new HistoryQuery(HistoryQuery.Direction.BEFORE, 9, 5));
        assertThat(HistoryQuery.MAX_LIMIT).isEqualTo(1000);
    }

    @ParameterizedTest(name = "latest({0}) of {1} messages covers {2}")
    @CsvSource({
        "10, 0, empty",
        "1, 1, 1..1",
        "10, 5, 1..5",
        "5, 5, 1..5",
        "10, 100, 91..100",
        "1, 100, 100..100",
    })
    void latest(int limit, long count, String expected) {
        assertThat(covered(HistoryQuery.latest(limit), count)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "after({0}, {1}) of {2} messages covers {3}")
    @CsvSource({
        "0, 10, 0, empty",
        "0, 10, 5, 1..5",
        "0, 2, 5, 1..2",
        "2, 2, 10, 3..4",
        "3, 10, 5, 4..5",
        "4, 10, 5, 5..5",
        "5, 10, 5, empty",
        "100, 10, 5, empty",
        "9223372036854775807, 10, 5, empty",
    })
    void after(long cursor, int limit, long count, String expected) {
        assertThat(covered(HistoryQuery.after(cursor, limit), count)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "before({0}, {1}) of {2} messages covers {3}")
    @CsvSource({
        "1, 10, 0, empty",
        "0, 10, 5, empty",
        "1, 10, 5, empty",
        "2, 10, 5, 1..1",
        "6, 10, 5, 1..5",
        "6, 2, 10, 4..5",
        "11, 3, 10, 8..10",
        "6, 2, 5, 4..5",
        // A cursor beyond the end: every message is below it, so the page is the last `limit` of them.
        "100, 10, 5, 1..5",
        "100, 2, 5, 4..5",
        "9223372036854775807, 3, 5, 3..5",
    })
    void before(long cursor, int limit, long count, String expected) {
        assertThat(covered(HistoryQuery.before(cursor, limit), count)).isEqualTo(expected);
    }
}

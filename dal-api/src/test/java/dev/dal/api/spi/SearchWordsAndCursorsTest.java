package dev.dal.api.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.dal.api.ValidationException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The search word rule and the search cursor form every store shares. */
class SearchWordsAndCursorsTest {

    @Test
    void wordsAreLowerCasedRunsOfLettersDigitsAndMarksInFirstOrder() {
        assertThat(SearchWords.of("Cats & DOGS, cats! \"dogs\"")).containsExactly("cats", "dogs");
        assertThat(SearchWords.of("GRÜSSE aus Zürich—Привет_мир 66"))
                .containsExactly("grüsse", "aus", "zürich", "привет", "мир", "66");
        assertThat(SearchWords.of("nai\u0308ve"))
                .as("a combining mark stays in its word")
                .containsExactly("nai\u0308ve");
        assertThat(SearchWords.of("emoji 🙂 split")).containsExactly("emoji", "split");
        assertThat(SearchWords.of("!? & | -- *")).isEmpty();
        assertThat(SearchWords.of(null)).isEmpty();
    }

    @Test
    void allInNeedsEveryWordWholeAndOccurrencesCountsEach() {
        List<String> words = SearchWords.of("cat dog");
        assertThat(SearchWords.allIn(words, "Dog and CAT")).isTrue();
        assertThat(SearchWords.allIn(words, "concatenate dogs")).isFalse();
        assertThat(SearchWords.allIn(List.of(), "anything")).isFalse();
        assertThat(SearchWords.occurrences(words, "cat, cat; DOG cats")).isEqualTo(3);
        assertThat(SearchWords.occurrences(words, "cat")).isEqualTo(1);
    }

    @Test
    void aCursorRoundTripsItsScoreAndIdExactly() {
        UUID id = UUID.fromString("01890a5d-ac96-774b-bcce-b302099a8057");
        for (double score : new double[] {0.0, 0.0607927, (float) 0.0990963, 1e-300, 42.0}) {
            SearchCursors.Position p = SearchCursors.decode(SearchCursors.encode(score, id));
            assertThat(p.score()).isEqualTo(score);
            assertThat(p.messageId()).isEqualTo(id);
        }
    }

    @Test
    void aCursorNoSearchReturnedIsRejectedOnTheCursorField() {
        String id = "01890a5d-ac96-774b-bcce-b302099a8057";
        for (String cursor : List.of(
                "",
                "not-a-cursor",
                b64("s1:3ff0000000000000"),
                b64("s1:3ff0000000000000:" + id + ":x"),
                b64("s1:zz:" + id),
                b64("s2:3ff0000000000000:" + id),
                b64("s1:3ff0000000000000:" + id.toUpperCase()),
                b64("s1:7ff8000000000000:" + id))) {
            Throwable thrown = catchThrowable(() -> SearchCursors.decode(cursor));
            assertThat(thrown).as(cursor).isInstanceOf(ValidationException.class);
            assertThat(((ValidationException) thrown).field()).isEqualTo("query.cursor");
        }
    }

    @Test
    void isAfterFollowsScoreDescendingThenIdDescending() {
        UUID low = UUID.fromString("00000000-0000-7000-8000-000000000001");
        UUID high = UUID.fromString("f0000000-0000-7000-8000-000000000001");
        SearchCursors.Position at = new SearchCursors.Position(1.0, high);
        assertThat(SearchCursors.isAfter(at, 0.5, high)).isTrue();
        assertThat(SearchCursors.isAfter(at, 1.0, low)).isTrue();
        assertThat(SearchCursors.isAfter(at, 1.0, high))
                .as("the cursor's own hit")
                .isFalse();
        assertThat(SearchCursors.isAfter(at, 2.0, low)).isFalse();
    }

    private static String b64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}

package dev.dal.mongo.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MongoKeysTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "%",
                "%%",
                "%24",
                "%2E",
                "%25",
                "$",
                "$ne",
                "a.b",
                "..",
                "$a.b%c",
                "%2",
                "a%",
                "plain",
                "\uD83D\uDE00$.%"
            })
    void encodingIsReversibleAndLeavesNoDollarOrDot(String key) {
        String stored = MongoKeys.encode(key);
        assertThat(MongoKeys.decode(stored)).isEqualTo(key);
        assertThat(stored).doesNotContain("$").doesNotContain(".").isNotEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"plain", "with space", "_id", "\u00e9"})
    void ordinaryKeysAreStoredUnchanged(String key) {
        assertThat(MongoKeys.encode(key)).isSameAs(key);
    }
}

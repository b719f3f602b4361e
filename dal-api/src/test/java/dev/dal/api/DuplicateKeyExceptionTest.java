package dev.dal.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DuplicateKeyExceptionTest {

    @Test
    void theMessageIsTheKeysOneText() {
        DuplicateKeyException e = new DuplicateKeyException(DuplicateKeyException.Key.CHAT_ID);

        assertThat(e.key()).isEqualTo(DuplicateKeyException.Key.CHAT_ID);
        assertThat(e)
                .hasMessage("A chat session with this chatId already exists")
                .hasNoCause();
    }

    @Test
    void everyKeyHasItsOwnText() {
        assertThat(Arrays.stream(DuplicateKeyException.Key.values()).map(DuplicateKeyException.Key::text))
                .doesNotHaveDuplicates()
                .allSatisfy(text -> assertThat(text).isNotBlank());
    }

    @Test
    void aKeyIsRequired() {
        assertThatThrownBy(() -> new DuplicateKeyException(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("key");
    }
}

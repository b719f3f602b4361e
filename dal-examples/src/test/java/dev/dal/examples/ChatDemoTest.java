package dev.dal.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.test.DalStoreExtension;
import dev.dal.test.DalTestStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The demo as an application's test runs it: on an empty file store the test fixture hands it. */
@ExtendWith(DalStoreExtension.class)
class ChatDemoTest {
    @Test
    void demoWritesAConversationThatGrowsOnEachRun(@DalTestStore("file") DalConfig config) {
        String first = runDemo(config);
        String second = runDemo(config);

        assertThat(first)
                .contains("Store: file, UP")
                .contains("has 2 messages")
                .contains("#1 user      What time is it?");
        assertThat(second).contains("has 4 messages").contains("#4 assistant It is ");
        try (DataAccess store = DataAccessFactory.create(config)) {
            assertThat(store.getMessageCount("demo-chat")).isEqualTo(4);
            assertThat(store.getUserByExternalId("demo-user")).isPresent();
        }
    }

    private static String runDemo(DalConfig config) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ChatDemo.run(config, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }
}

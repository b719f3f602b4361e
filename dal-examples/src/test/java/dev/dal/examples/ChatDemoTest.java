package dev.dal.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatDemoTest {
    @TempDir
    Path dir;

    @Test
    void demoWritesAConversationThatGrowsOnEachRun() {
        DalConfig config =
                DalConfig.builder().setting("DATA_DIR", dir.toString()).build();
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

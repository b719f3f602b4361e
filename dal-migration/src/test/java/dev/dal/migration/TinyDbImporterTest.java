package dev.dal.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.HistoryQuery;
import dev.dal.api.Message;
import dev.dal.api.User;
import dev.dal.api.ValidationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Seed 002's TinyDB import: ChatCore's layout, embedded messages, a mapping file, idempotence. */
class TinyDbImporterTest {
    private static final String CHATCORE = """
            {
              "users": {
                "1": {"username": "Admin", "email": "admin@example.org", "role": "admin",
                      "password_hash": "$2b$12$secret", "created_at": "2024-01-02T03:04:05.678901"},
                "2": {"username": "user2", "role": "user", "refresh_token": "abc", "created_at": 1704164645.5},
                "3": {"username": "ADMIN", "email": "other@example.org"},
                "4": {"email": "nobody@example.org"}
              },
              "conversations": {
                "1": {"conversation_id": "c-1", "username": "admin", "title": "Hello",
                      "created_at": "2024-01-02T10:00:00", "updated_at": "2024-01-02T10:05:00", "pinned": true},
                "2": {"conversation_id": "c-2", "username": "User2", "title": "Embedded",
                      "created_at": "2024-01-03T10:00:00Z",
                      "messages": [
                        {"role": "user", "content": "first", "timestamp": "2024-01-03T10:00:01Z"},
                        {"role": "bot", "content": "second", "timestamp": "2024-01-03T10:00:02Z"},
                        {"role": "user", "content": "first", "timestamp": "2024-01-03T10:00:01Z"},
                        {"role": "wizard", "content": "??"}
                      ]}
              },
              "messages": {
                "10": {"conversation_id": "c-1", "role": "user", "content": "Hi there", "timestamp": "2024-01-02T10:00:01"},
                "11": {"conversation_id": "c-1", "role": "assistant", "content": "Hello! 😀", "timestamp": "2024-01-02T10:00:02",
                       "model": "gpt-4"},
                "9":  {"conversation_id": "c-1", "role": "system", "content": "Be nice", "timestamp": "2024-01-02T10:00:00"},
                "12": {"conversation_id": "c-1", "role": "user", "content": "Hi there", "timestamp": "2024-01-02T10:00:01"},
                "13": {"conversation_id": "c-404", "role": "user", "content": "lost"}
              }
            }
            """;

    @TempDir
    Path dir;

    @Test
    void chatCoreFileImportsOnceAndTheSecondRunAddsNothing() throws IOException {
        Path file = dir.resolve("db.json");
        Files.writeString(file, CHATCORE);
        TinyDbImporter importer = new TinyDbImporter(TinyDbMapping.defaults(), 2, 100_000);
        for (Backends.Backend backend : Backends.all()) {
            try (DataAccess store = Backends.open(backend.freshStore())) {
                ImportReport first = importer.importFile(file, store);
                assertThat(first.usersImported()).as(backend + " users").isEqualTo(2);
                assertThat(first.usersMerged()).as("ADMIN is Admin").isEqualTo(1);
                assertThat(first.sessionsImported()).isEqualTo(2);
                assertThat(first.messagesImported()).isEqualTo(5);
                assertThat(first.messagesDeduplicated()).isEqualTo(2);
                assertThat(first.skipped()).extracting(ImportReport.Skip::reason).containsExactlyInAnyOrder(
                        "no username", "unknown role 'wizard'", "conversation c-404 is neither in the input nor in the store");

                User admin = store.getUserByExternalId("admin").orElseThrow();
                assertThat(admin.email()).isEqualTo("admin@example.org");
                assertThat(admin.createdAt()).isEqualTo(Instant.parse("2024-01-02T03:04:05.678Z"));
                assertThat(admin.profile().path("legacy").path("role").asText()).isEqualTo("admin");
                assertThat(admin.profile().toString()).doesNotContain("password").doesNotContain("secret");
                assertThat(store.getUserByExternalId("user2").orElseThrow().profile().toString()).doesNotContain("abc");

                ChatSession c1 = store.getChatSession("c-1").orElseThrow();
                assertThat(c1.userId()).isEqualTo(admin.id());
                assertThat(c1.createdAt()).isEqualTo(Instant.parse("2024-01-02T10:00:00Z"));
                assertThat(c1.messageCount()).isEqualTo(3);
                assertThat(c1.metadata().path("legacy").path("pinned").asBoolean()).isTrue();
                List<Message> history = store.getChatHistory("c-1", HistoryQuery.after(0, 10));
                assertThat(history).extracting(Message::content).containsExactly("Be nice", "Hi there", "Hello! 😀");
                assertThat(history.get(2).metadata().path("legacy").path("model").asText()).isEqualTo("gpt-4");
                assertThat(store.getChatHistory("c-2", HistoryQuery.after(0, 10))).extracting(Message::content)
                        .containsExactly("first", "second");

                ImportReport second = importer.importFile(file, store);
                assertThat(second.usersImported()).isZero();
                assertThat(second.usersMerged()).isEqualTo(3);
                assertThat(second.sessionsImported()).isZero();
                assertThat(second.sessionsMerged()).isEqualTo(2);
                assertThat(second.messagesImported()).isZero();
                assertThat(second.messagesDeduplicated()).isEqualTo(7);
                assertThat(second.skipped()).isEqualTo(first.skipped());
                assertThat(store.getMessageCount("c-1")).isEqualTo(3);
                assertThat(store.bulk().scanUsers(null, 100).items()).hasSize(2);
            }
        }
    }

    @Test
    void aMappingFileAdaptsOtherNames() throws IOException {
        Path file = dir.resolve("other.json");
        Files.writeString(file, """
                {"chats": {"1": {"id": 7, "user": "Alice", "chat_name": "Trip", "messages": [
                    {"role": "human", "content": "Where to?"}, {"role": "ai", "content": "Lisbon."}]}}}
                """);
        Path mapping = dir.resolve("mapping.json");
        Files.writeString(mapping, """
                {"tables": {"conversations": "chats"},
                 "fields": {"conversations": {"conversation_id": "id", "username": "user", "title": "chat_name"}}}
                """);
        try (DataAccess store = Backends.open(Backends.FILE.freshStore())) {
            ImportReport report = new TinyDbImporter(TinyDbMapping.load(mapping), 100, 100_000).importFile(file, store);
            assertThat(report.usersImported()).isEqualTo(1);
            ChatSession chat = store.getChatSession("7").orElseThrow();
            assertThat(chat.title()).isEqualTo("Trip");
            assertThat(chat.userId()).isEqualTo(store.getUserByExternalId("alice").orElseThrow().id());
            assertThat(store.getChatHistory("7", HistoryQuery.after(0, 10))).extracting(m -> m.role().wireName())
                    .containsExactly("user", "assistant");
        }
    }

    @Test
    void aMalformedFileNamesTheTableAndDocumentAndImportsNothing() throws IOException {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, CHATCORE.replace("\"timestamp\": \"2024-01-02T10:00:02\"", "\"timestamp\": \"yesterday\""));
        try (DataAccess store = Backends.open(Backends.FILE.freshStore())) {
            assertThatThrownBy(() -> new TinyDbImporter(TinyDbMapping.defaults(), 100, 100_000).importFile(file, store))
                    .isInstanceOf(ValidationException.class)
                    .hasMessageContaining("table 'messages', document 11, field 'timestamp'");
            assertThat(store.bulk().scanUsers(null, 10).items()).isEmpty();
            assertThat(store.bulk().scanSessions(null, 10).items()).isEmpty();
        }
        Path notJson = dir.resolve("broken.json");
        Files.writeString(notJson, "{\"users\": {\"1\": ");
        try (DataAccess store = Backends.open(Backends.FILE.freshStore())) {
            assertThatThrownBy(() -> new TinyDbImporter(TinyDbMapping.defaults(), 100, 100_000).importFile(notJson, store))
                    .isInstanceOf(ValidationException.class).hasMessageContaining("is not JSON");
        }
    }
}

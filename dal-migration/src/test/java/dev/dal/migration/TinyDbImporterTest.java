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

/** The TinyDB import: ChatCore's layout, embedded messages, a mapping file, idempotence. */
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
        for (Backends.Backend backend : Backends.all()) {
            try (DataAccess store = Backends.open(backend.freshStore())) {
                importsChatCoreOnce(store, backend.name());
            }
        }
    }

    @Test
    void chatCoreFileImportsOnceIntoTheFileStore() throws IOException {
        try (DataAccess store = Backends.open(Backends.FILE.freshStore())) {
            importsChatCoreOnce(store, "file");
        }
    }

    private void importsChatCoreOnce(DataAccess store, String backend) throws IOException {
        Path file = dir.resolve("db.json");
        Files.writeString(file, CHATCORE);
        TinyDbImporter importer = new TinyDbImporter(TinyDbMapping.defaults(), 2, 100_000);
        ImportReport first = importer.importFile(file, store);
        assertThat(first.usersImported()).as(backend + " users").isEqualTo(2);
        assertThat(first.usersMerged()).as("ADMIN is Admin").isEqualTo(1);
        assertThat(first.sessionsImported()).isEqualTo(2);
        assertThat(first.messagesImported()).isEqualTo(5);
        assertThat(first.messagesDeduplicated()).isEqualTo(2);
        assertThat(first.skipped())
                .extracting(ImportReport.Skip::reason)
                .containsExactlyInAnyOrder(
                        "no username",
                        "unknown role 'wizard'",
                        "conversation c-404 is neither in the input nor in the store");

        User admin = store.getUserByExternalId("admin").orElseThrow();
        assertThat(admin.email()).isEqualTo("admin@example.org");
        assertThat(admin.createdAt()).isEqualTo(Instant.parse("2024-01-02T03:04:05.678Z"));
        assertThat(admin.profile().path("legacy").path("role").asText()).isEqualTo("admin");
        assertThat(admin.profile().toString()).doesNotContain("password").doesNotContain("secret");
        assertThat(store.getUserByExternalId("user2").orElseThrow().profile().toString())
                .doesNotContain("abc");

        ChatSession c1 = store.getChatSession("c-1").orElseThrow();
        assertThat(c1.userId()).isEqualTo(admin.id());
        assertThat(c1.createdAt()).isEqualTo(Instant.parse("2024-01-02T10:00:00Z"));
        assertThat(c1.messageCount()).isEqualTo(3);
        assertThat(c1.metadata().path("legacy").path("pinned").asBoolean()).isTrue();
        List<Message> history = store.getChatHistory("c-1", HistoryQuery.after(0, 10));
        assertThat(history).extracting(Message::content).containsExactly("Be nice", "Hi there", "Hello! 😀");
        assertThat(history.get(2).metadata().path("legacy").path("model").asText())
                .isEqualTo("gpt-4");
        assertThat(store.getChatHistory("c-2", HistoryQuery.after(0, 10)))
                .extracting(Message::content)
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
        LegacyImport input = importer.read(file);
        assertThat(input.writeTo(store).skipped())
                .as("one checked input written twice: the same report")
                .isEqualTo(input.writeTo(store).skipped())
                .isEqualTo(first.skipped());
        assertThat(store.bulk().scanMessages(null, 100).items()).hasSize(5);
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
            assertThat(chat.userId())
                    .isEqualTo(store.getUserByExternalId("alice").orElseThrow().id());
            assertThat(store.getChatHistory("7", HistoryQuery.after(0, 10)))
                    .extracting(m -> m.role().wireName())
                    .containsExactly("user", "assistant");
        }
    }

    /** TinyDB's embedded style: one {@code _default} table of chats keyed by document id, usernames only on chats. */
    private static final String EMBEDDED = """
            {
              "_default": {
                "1": {"username": "Ann", "title": "Trip", "created_at": "2024-05-01T09:00:00Z", "messages": [
                        {"role": "user", "content": "Where to?", "timestamp": "2024-05-01T09:00:01Z"},
                        {"role": "assistant", "content": "Lisbon.", "timestamp": "2024-05-01T09:00:02Z"}]},
                "2": {"username": "ann", "title": "Food", "messages": [
                        {"role": "user", "content": "Pasta?", "timestamp": 1714554000},
                        {"role": "user", "content": "Pasta?", "timestamp": 1714554000},
                        {"role": "robot", "content": "beep"}]},
                "10": {"username": "Bob", "api_key": "sk-hidden", "messages": []}
              },
              "sessions": {"1": {"sid": "a"}, "2": {"sid": "b"}},
              "refresh_tokens": {"1": {"jti": "x"}},
              "documents": {}
            }
            """;

    @Test
    void tinyDbsEmbeddedStyleImportsWithAMappingAndNamesTheTablesItLeaves() throws IOException {
        Path file = dir.resolve("embedded.json");
        Files.writeString(file, EMBEDDED);
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        try (DataAccess store = Backends.open(Backends.FILE.freshStore())) {
            ImportReport unmapped = new TinyDbImporter(TinyDbMapping.defaults(), 100, 100_000).importFile(file, store);
            assertThat(unmapped.usedNothing()).isTrue();
            assertThat(unmapped.leftEverythingBehind())
                    .as("the command exits 1")
                    .isTrue();
            assertThat(unmapped.unused())
                    .containsExactly(
                            new ImportReport.Unused("table", "_default", 3),
                            new ImportReport.Unused("table", "sessions", 2),
                            new ImportReport.Unused("table", "refresh_tokens", 1),
                            new ImportReport.Unused("table", "documents", 0));

            Path mapping = dir.resolve("embedded-mapping.json");
            Files.writeString(mapping, """
                    {"tables": {"conversations": "_default"},
                     "fields": {"conversations": {"conversation_id": "$docId"}}}
                    """);
            TinyDbImporter importer = new TinyDbImporter(TinyDbMapping.load(mapping), 2, 100_000);
            ImportReport first = importer.importFile(file, store);
            assertThat(first.usersImported()).as("Ann and Bob, from the chats").isEqualTo(2);
            assertThat(first.sessionsImported()).isEqualTo(3);
            assertThat(first.messagesImported()).isEqualTo(3);
            assertThat(first.messagesDeduplicated()).isEqualTo(1);
            assertThat(first.skipped())
                    .containsExactly(new ImportReport.Skip("_default", "2[2]", "unknown role 'robot'"));
            assertThat(first.unused())
                    .extracting(ImportReport.Unused::name)
                    .containsExactly("sessions", "refresh_tokens", "documents");
            assertThat(first.leftEverythingBehind()).isFalse();
            assertThat(first.warnings())
                    .containsExactly(new ImportReport.Warning(file.toString(), "world-readable (rw-r--r--)"));
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));

            User ann = store.getUserByExternalId("ann").orElseThrow();
            assertThat(store.getChatSession("1").orElseThrow().userId()).isEqualTo(ann.id());
            assertThat(store.getChatSession("2").orElseThrow().userId()).isEqualTo(ann.id());
            assertThat(store.getChatSession("10").orElseThrow().metadata().toString())
                    .doesNotContain("sk-hidden");
            assertThat(store.getChatHistory("1", HistoryQuery.after(0, 10)))
                    .extracting(Message::content, Message::createdAt)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("Where to?", Instant.parse("2024-05-01T09:00:01Z")),
                            org.assertj.core.groups.Tuple.tuple("Lisbon.", Instant.parse("2024-05-01T09:00:02Z")));
            assertThat(store.getChatHistory("2", HistoryQuery.after(0, 10)))
                    .extracting(Message::createdAt)
                    .containsExactly(Instant.ofEpochSecond(1714554000));

            ImportReport second = importer.importFile(file, store);
            assertThat(second.usersImported()).isZero();
            assertThat(second.sessionsImported()).isZero();
            assertThat(second.sessionsMerged()).isEqualTo(3);
            assertThat(second.messagesImported()).isZero();
            assertThat(second.messagesDeduplicated()).isEqualTo(4);
            assertThat(second.warnings()).as("an owner-only file is fine").isEmpty();
            assertThat(store.bulk().scanUsers(null, 10).items()).hasSize(2);
            assertThat(store.bulk().scanSessions(null, 10).items()).hasSize(3);
            assertThat(store.bulk().scanMessages(null, 10).items()).hasSize(3);
        }
    }

    @Test
    void messagesListedInsideTheMessagesTableAndNestedFieldsByPointer() throws IOException {
        Path file = dir.resolve("nested.json");
        Files.writeString(file, """
                {"conversations": {"1": {"conversation_id": "c-1", "owner": {"name": "Eve"}}},
                 "messages": {"1": {"conversation_id": "c-1", "messages": [
                     {"role": "user", "content": "one"}, {"role": "assistant", "content": "two"}]}}}
                """);
        Path mapping = dir.resolve("nested-mapping.json");
        Files.writeString(mapping, "{\"fields\": {\"conversations\": {\"username\": \"/owner/name\"}}}");
        try (DataAccess store = Backends.open(Backends.FILE.freshStore())) {
            ImportReport report = new TinyDbImporter(TinyDbMapping.load(mapping), 100, 100_000).importFile(file, store);
            assertThat(report.messagesImported()).isEqualTo(2);
            assertThat(store.getChatHistory("c-1", HistoryQuery.after(0, 10)))
                    .extracting(Message::content)
                    .containsExactly("one", "two");
            assertThat(store.getChatSession("c-1").orElseThrow().userId())
                    .isEqualTo(store.getUserByExternalId("eve").orElseThrow().id());
        }
    }

    @Test
    void aMappingFileWithAnUnknownEntryIsRefused() throws IOException {
        Path mapping = dir.resolve("typo.json");
        Files.writeString(mapping, "{\"table\": {\"conversations\": \"_default\"}}");
        assertThatThrownBy(() -> TinyDbMapping.load(mapping))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("mapping.table")
                .hasMessageContaining("is not an entry");
    }

    @Test
    void aMalformedFileNamesTheTableAndDocumentAndImportsNothing() throws IOException {
        Path file = dir.resolve("bad.json");
        Files.writeString(
                file, CHATCORE.replace("\"timestamp\": \"2024-01-02T10:00:02\"", "\"timestamp\": \"yesterday\""));
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
            assertThatThrownBy(
                            () -> new TinyDbImporter(TinyDbMapping.defaults(), 100, 100_000).importFile(notJson, store))
                    .isInstanceOf(ValidationException.class)
                    .hasMessageContaining("is not JSON");
        }
    }
}

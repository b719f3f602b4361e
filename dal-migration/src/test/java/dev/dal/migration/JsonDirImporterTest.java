package dev.dal.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dal.api.ChatSession;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.HistoryQuery;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.User;
import dev.dal.api.ValidationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Seed 004's directory of JSON files, another layout through a mapping, malformed files, the report. */
public class JsonDirImporterTest {
    @TempDir
    Path dir;

    /** Seed 004's {@code data/}: two chats (one a bare list), one user file, and what the import does not use. */
    public static Path seed004(Path root) throws IOException {
        Path data = root.resolve("data");
        write(data.resolve("chat_sessions/c-1.json"), """
                {"chat_id": "c-1", "user_id": "user_A1", "title": "Trip", "profile": "travel",
                 "created_at": "2024-01-02 10:00:00", "updated_at": "2024-01-02T10:05:00+01:00",
                 "metadata": {"source": "web", "session_token": "t0k"}, "pinned": true,
                 "messages": [
                   {"role": "system", "content": "Be brief", "timestamp": "2024-01-02 10:00:00"},
                   {"role": "user", "content": "Where to?", "timestamp": 1704189601, "token_count": 3},
                   {"role": "assistant", "content": "Lisbon.", "timestamp": 1704189602000, "metadata": {"model": "m1"},
                    "abuse_flagged": false, "ip": "10.0.0.1"},
                   {"role": "user", "content": "Where to?", "timestamp": 1704189601},
                   {"role": "wizard", "content": "?"}
                 ]}
                """);
        write(data.resolve("chat_sessions/c-2.json"), """
                [{"role": "user", "content": "Hello", "timestamp": "2024-02-01T08:00:00Z"},
                 {"role": "bot", "content": "Hi!", "timestamp": "2024-02-01T08:00:01Z"}]
                """);
        write(data.resolve("chat_sessions/c-1.json.bak"), "{}");
        write(data.resolve("memory/user_A1.json"), """
                {"email": "ann@example.org", "name": "Ann", "password_hash": "$2y$10$x",
                 "profile": {"city": "Porto", "oauth": {"refresh_token": "r"}}, "preferences": {"tone": "short"},
                 "created_at": "2023-12-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z",
                 "memory": {"context": {"last_trip": "Lisbon", "api_token": "zz"}, "facts": {"pets": ["cat"]}}}
                """);
        write(data.resolve("generated_pages/a.html"), "<p>a</p>");
        write(data.resolve("generated_pages/b/c.html"), "<p>c</p>");
        write(data.resolve("index.json"), "{}");
        Files.setPosixFilePermissions(
                data.resolve("chat_sessions/c-2.json"), PosixFilePermissions.fromString("rwxrwxrwx"));
        return data;
    }

    @Test
    void seed004sLayoutImportsOnceAndTheSecondRunAddsNothing() throws IOException {
        Path data = seed004(dir);
        Map<String, String> before = snapshot(data);
        JsonDirImporter importer = new JsonDirImporter(JsonDirMapping.builtIn(), 2, 100_000);
        try (DataAccess store = Backends.open(Backends.FILE.freshStore())) {
            ImportReport first = importer.importDirectory(data, store);
            assertThat(first.usersImported()).isEqualTo(1);
            assertThat(first.sessionsImported()).isEqualTo(2);
            assertThat(first.messagesImported()).isEqualTo(5);
            assertThat(first.messagesDeduplicated()).isEqualTo(1);
            assertThat(first.memoryImported()).isEqualTo(2);
            assertThat(first.skipped())
                    .containsExactly(
                            new ImportReport.Skip("chat_sessions/c-1.json", "messages[4]", "unknown role 'wizard'"),
                            new ImportReport.Skip(
                                    "memory/user_A1.json",
                                    "memory.context.api_token",
                                    "memory key names a secret, which is never copied"));
            assertThat(first.unused())
                    .containsExactly(
                            new ImportReport.Unused("file", "chat_sessions/c-1.json.bak", 1),
                            new ImportReport.Unused("directory", "generated_pages", 2),
                            new ImportReport.Unused("file", "index.json", 1));
            assertThat(first.warnings())
                    .contains(new ImportReport.Warning(
                            "chat_sessions/c-2.json", "world-readable and world-writable (rwxrwxrwx)"));
            assertThat(first.leftEverythingBehind()).isFalse();

            User ann = store.getUserByExternalId("user_A1").orElseThrow();
            assertThat(ann.email()).isEqualTo("ann@example.org");
            assertThat(ann.createdAt()).isEqualTo(Instant.parse("2023-12-01T00:00:00Z"));
            assertThat(ann.profile().path("city").asText()).isEqualTo("Porto");
            assertThat(ann.preferences().path("tone").asText()).isEqualTo("short");
            assertThat(ann.profile().toString()).doesNotContain("password").doesNotContain("refresh_token");
            MemoryEntry trip =
                    store.getUserMemory(ann.id(), "context", "last_trip").orElseThrow();
            assertThat(trip.value().asText()).isEqualTo("Lisbon");
            assertThat(trip.updatedAt()).isEqualTo(Instant.parse("2024-01-01T00:00:00Z"));
            assertThat(store.getUserMemory(ann.id(), "facts", "pets")
                            .orElseThrow()
                            .value()
                            .get(0)
                            .asText())
                    .isEqualTo("cat");
            assertThat(store.getUserMemory(ann.id(), "context", "api_token")).isEmpty();

            ChatSession c1 = store.getChatSession("c-1").orElseThrow();
            assertThat(c1.userId()).isEqualTo(ann.id());
            assertThat(c1.title()).isEqualTo("Trip");
            assertThat(c1.profile()).isEqualTo("travel");
            assertThat(c1.createdAt()).isEqualTo(Instant.parse("2024-01-02T10:00:00Z"));
            assertThat(c1.updatedAt()).isEqualTo(Instant.parse("2024-01-02T09:05:00Z"));
            assertThat(c1.metadata().path("source").asText()).isEqualTo("web");
            assertThat(c1.metadata().path("legacy").path("pinned").asBoolean()).isTrue();
            assertThat(c1.metadata().toString()).doesNotContain("t0k");
            assertThat(c1.messageCount()).isEqualTo(3);
            var history = store.getChatHistory("c-1", HistoryQuery.after(0, 10));
            assertThat(history).extracting(Message::content).containsExactly("Be brief", "Where to?", "Lisbon.");
            assertThat(history)
                    .extracting(Message::createdAt)
                    .containsExactly(
                            Instant.parse("2024-01-02T10:00:00Z"),
                            Instant.ofEpochSecond(1704189601),
                            Instant.ofEpochMilli(1704189602000L));
            assertThat(history.get(1).tokenCount()).isEqualTo(3);
            assertThat(history.get(2).metadata().path("model").asText()).isEqualTo("m1");
            assertThat(history.get(2).metadata().path("legacy").path("ip").asText())
                    .isEqualTo("10.0.0.1");
            ChatSession c2 = store.getChatSession("c-2").orElseThrow();
            assertThat(c2.userId()).isNull();
            assertThat(c2.createdAt()).as("the first message's time").isEqualTo(Instant.parse("2024-02-01T08:00:00Z"));
            assertThat(store.getChatHistory("c-2", HistoryQuery.after(0, 10)))
                    .extracting(m -> m.role().wireName())
                    .containsExactly("user", "assistant");

            ImportReport second = importer.importDirectory(data, store);
            assertThat(second.usersImported()).isZero();
            assertThat(second.usersMerged()).isEqualTo(1);
            assertThat(second.sessionsImported()).isZero();
            assertThat(second.sessionsMerged()).isEqualTo(2);
            assertThat(second.messagesImported()).isZero();
            assertThat(second.messagesDeduplicated()).isEqualTo(6);
            assertThat(second.memoryImported()).isZero();
            assertThat(second.memoryKept()).isEqualTo(2);
            assertThat(second.skipped()).isEqualTo(first.skipped());
            assertThat(store.bulk().scanUsers(null, 10).items()).hasSize(1);
            assertThat(store.bulk().scanSessions(null, 10).items()).hasSize(2);
            assertThat(store.bulk().scanMessages(null, 10).items()).hasSize(5);
            assertThat(store.bulk().scanMemory(null, 10).items()).hasSize(2);
        }
        assertThat(snapshot(data)).as("the source is never changed").isEqualTo(before);
    }

    @Test
    void aMalformedFileIsNamedByPathDocumentAndFieldAndNothingIsWritten() throws IOException {
        Path data = seed004(dir);
        write(data.resolve("chat_sessions/c-3.json"), """
                {"messages": [{"role": "user", "content": "ok"}, {"role": "user", "content": "x", "timestamp": "soon"}]}
                """);
        try (DataAccess store = Backends.open(Backends.FILE.freshStore())) {
            JsonDirImporter importer = new JsonDirImporter(JsonDirMapping.builtIn(), 100, 100_000);
            assertThatThrownBy(() -> importer.importDirectory(data, store))
                    .isInstanceOf(ValidationException.class)
                    .hasMessageContaining("file chat_sessions/c-3.json, document messages[1], field 'timestamp'")
                    .hasMessageContaining("nothing was imported");
            write(data.resolve("chat_sessions/c-3.json"), "{\"messages\": [");
            assertThatThrownBy(() -> importer.importDirectory(data, store))
                    .isInstanceOf(ValidationException.class)
                    .hasMessageContaining("file chat_sessions/c-3.json is not JSON (line");
            write(data.resolve("chat_sessions/c-3.json"), "{}");
            write(data.resolve("memory/u-2.json"), "{\"profile\": \"admin\"}");
            assertThatThrownBy(() -> importer.importDirectory(data, store))
                    .isInstanceOf(ValidationException.class)
                    .hasMessageContaining("file memory/u-2.json, document u-2, field 'profile': must be a JSON object");
            assertThat(store.bulk().scanUsers(null, 10).items()).isEmpty();
            assertThat(store.bulk().scanSessions(null, 10).items()).isEmpty();
            assertThat(store.bulk().scanMemory(null, 10).items()).isEmpty();
        }
    }

    @Test
    void aMappingFileDescribesAnotherLayout() throws IOException {
        Path data = dir.resolve("other");
        write(data.resolve("chats/trip.json"), """
                {"owner": "u-9", "history": [{"who": "model", "text": "Hi", "meta": {"time": "02/01/2024 10:00"}}]}
                """);
        write(data.resolve("memory/u-9.json"), "{\"name\": \"Not read\"}");
        write(data.resolve("chats/bare.json"), "[{\"who\": \"user\", \"text\": \"alone\"}]");
        Path mapping = dir.resolve("mapping.json");
        Files.writeString(mapping, """
                {"sessions": {"directory": "chats", "messages": "/history", "fields": {"chat_id": "$docId", "user_id": "owner"}},
                 "messages": {"fields": {"role": "who", "content": "text", "timestamp": "/meta/time"}},
                 "users": {"directory": null},
                 "roles": {"model": "assistant"},
                 "timestamps": {"format": "dd/MM/yyyy HH:mm", "zone": "Europe/Berlin"}}
                """);
        try (DataAccess store = Backends.open(Backends.FILE.freshStore())) {
            JsonDirImporter importer = new JsonDirImporter(JsonDirMapping.load(mapping), 100, 100_000);
            ImportReport report = importer.importDirectory(data, store);
            assertThat(report.sessionsImported()).isEqualTo(2);
            assertThat(report.usersImported()).as("the owner, from the chat").isEqualTo(1);
            assertThat(store.getChatHistory("bare", HistoryQuery.after(0, 10)))
                    .extracting(Message::content)
                    .containsExactly("alone");
            assertThat(store.getChatSession("trip").orElseThrow().metadata().has("legacy"))
                    .as("history is read through its pointer")
                    .isFalse();
            assertThat(report.unused()).containsExactly(new ImportReport.Unused("directory", "memory", 1));
            Message hi = store.getChatHistory("trip", HistoryQuery.after(0, 10)).get(0);
            assertThat(hi.role().wireName()).isEqualTo("assistant");
            assertThat(hi.createdAt()).isEqualTo(Instant.parse("2024-01-02T09:00:00Z"));
            assertThat(hi.metadata().has("legacy"))
                    .as("meta is read through its pointer")
                    .isFalse();
            assertThat(store.getChatSession("trip").orElseThrow().userId())
                    .isEqualTo(store.getUserByExternalId("u-9").orElseThrow().id());
            assertThat(importer.importDirectory(data, store).messagesImported()).isZero();
        }
        Files.writeString(mapping, "{\"sessions\": {\"fields\": {\"chatid\": \"id\"}}}");
        assertThatThrownBy(() -> JsonDirMapping.load(mapping))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("mapping.sessions.fields.chatid")
                .hasMessageContaining("known: [chat_id");
    }

    @Test
    void recordsTheStoreWouldRefuseAreSkippedWithTheirReasonAndTheRestIsImported() throws IOException {
        Path data = dir.resolve("limits");
        write(
                data.resolve("chat_sessions/long.json"),
                "{\"title\": \"" + "t".repeat(300) + "\", \"messages\": ["
                        + "{\"role\": \"user\", \"content\": \"a\\u0000b\"},"
                        + "{\"role\": \"user\", \"content\": \"ok\", \"metadata\": {\"a\": {\"b\": {\"c\": {\"d\": 1}}}}},"
                        + "{\"role\": \"user\", \"content\": \"fine\"}]}");
        write(
                data.resolve("memory/u.json"),
                "{\"memory\": {\"context\": {\"deep\": [[[[1]]]], \"three\": [[[1]]], \"flat\": 1}}}");
        DalConfig limits = DalConfig.fromMap(Map.of(DalConfig.DAL_MAX_JSON_DEPTH, "3"));
        try (DataAccess store = Backends.open(Backends.FILE.freshStore())) {
            ImportReport report =
                    new JsonDirImporter(JsonDirMapping.builtIn(), 100, limits).importDirectory(data, store);
            assertThat(report.skipped())
                    .containsExactly(
                            new ImportReport.Skip(
                                    "chat_sessions/long.json", "messages[0]", "content holds a NUL character"),
                            new ImportReport.Skip(
                                    "chat_sessions/long.json",
                                    "messages[1]",
                                    "metadata nests JSON deeper than 3 levels"),
                            new ImportReport.Skip(
                                    "memory/u.json", "memory.context.deep", "value nests JSON deeper than 3 levels"));
            assertThat(report.messagesImported()).isEqualTo(1);
            assertThat(report.memoryImported())
                    .as("three levels are allowed, four are not")
                    .isEqualTo(2);
            ChatSession chat = store.getChatSession("long").orElseThrow();
            assertThat(chat.title()).as("too long for a title").isNull();
            assertThat(chat.metadata().path("legacy").path("title").asText()).hasSize(300);
        }
    }

    @Test
    void aDirectoryWhoseDocumentsAreAllSkippedOrUnusedLeavesEverythingBehind() throws IOException {
        Path data = dir.resolve("nothing");
        write(data.resolve("chat_sessions/c.json"), "{\"messages\": [{\"role\": \"narrator\", \"content\": \"x\"}]}");
        write(data.resolve("conversations/a.json"), "{}");
        try (DataAccess store = Backends.open(Backends.FILE.freshStore())) {
            ImportReport report =
                    new JsonDirImporter(JsonDirMapping.builtIn(), 100, 100_000).importDirectory(data, store);
            // The session itself is imported (it has no usable message), so something was used.
            assertThat(report.sessionsImported()).isEqualTo(1);
            assertThat(report.leftEverythingBehind()).isFalse();
        }
        Files.delete(data.resolve("chat_sessions/c.json"));
        write(data.resolve("chat_sessions/" + "x".repeat(250) + ".json"), "{\"chat_id\": \"" + "y".repeat(300) + "\"}");
        try (DataAccess store = Backends.open(Backends.FILE.freshStore())) {
            ImportReport report =
                    new JsonDirImporter(JsonDirMapping.builtIn(), 100, 100_000).importDirectory(data, store);
            assertThat(report.skipped())
                    .extracting(ImportReport.Skip::reason)
                    .containsExactly("chat id longer than 255 characters");
            assertThat(report.unused()).containsExactly(new ImportReport.Unused("directory", "conversations", 1));
            assertThat(report.leftEverythingBehind()).isTrue();
        }
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    /** @return every file and directory under root with its content, modification time and permissions */
    public static Map<String, String> snapshot(Path root) throws IOException {
        Map<String, String> all = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.toList()) {
                String content = Files.isRegularFile(p)
                        ? Files.readString(p)
                        : "<dir " + Files.list(p).count() + ">";
                all.put(
                        root.relativize(p).toString(),
                        content + " " + Files.getLastModifiedTime(p).toMillis() + " "
                                + PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
            }
        }
        return all;
    }
}

package dev.dal.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.dal.api.ChatSession;
import dev.dal.api.ChatSessionUpdate;
import dev.dal.api.DataAccess;
import dev.dal.api.DeleteMode;
import dev.dal.api.JsonValues;
import dev.dal.api.MemoryEntry;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import dev.dal.api.bulk.RecordKey;
import dev.dal.api.bulk.ScanBatch;
import dev.dal.api.bulk.Tombstone;
import dev.dal.testkit.MutableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Versions and tombstones on disk: a directory an older Dal wrote (records without a version, no
 * {@code tombstones/}) opens as it is, at version 1 everywhere; tombstones are private files named like the
 * records; a transaction's rollback undoes them with the records.
 */
class FileStoreVersionsOnDiskTest {
    private static final ObjectMapper JSON = JsonValues.newMapper();

    @TempDir
    Path temp;

    private final MutableClock clock = MutableClock.startingNow();

    private DataAccess open(Path dir) {
        return TempFileStores.open(dir, clock);
    }

    /** Writes what an older Dal wrote: the same records without their version, and no tombstones. */
    private static void rewriteAsOldLayout(Path root) throws IOException {
        List<Path> records = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().endsWith(".json"))
                    .filter(p -> {
                        String dir = root.relativize(p).getName(0).toString();
                        return dir.equals("users") || dir.equals("sessions") || dir.equals("memory");
                    })
                    .forEach(records::add);
        }
        int stripped = 0;
        for (Path file : records) {
            ObjectNode record = (ObjectNode) JSON.readTree(file.toFile());
            if (record.has("entries")) {
                for (JsonNode entry : record.get("entries")) {
                    stripped += ((ObjectNode) entry).remove("version") != null ? 1 : 0;
                }
            } else {
                stripped += record.remove("version") != null ? 1 : 0;
            }
            Files.write(file, JSON.writeValueAsBytes(record));
        }
        assertThat(stripped).as("versions removed from the records").isGreaterThanOrEqualTo(5);
        try (Stream<Path> walk = Files.walk(root.resolve("tombstones"))) {
            walk.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void aDirectoryWrittenBeforeVersionsOpensAtVersionOneEverywhere() throws IOException {
        Path root = temp.resolve("store");
        User user;
        User other;
        ChatSession session;
        try (DataAccess store = open(root)) {
            user = store.createUser(NewUser.withExternalId("old-1"));
            other = store.createUser(NewUser.withExternalId("old-2"));
            session = store.createChatSession(NewChatSession.of("old-chat", user.id()));
            store.createChatSession(NewChatSession.of("other-chat", other.id()));
            store.setUserMemory(user.id(), "context", "a", TextNode.valueOf("1"));
            store.setUserMemory(user.id(), "context", "b", TextNode.valueOf("2"));
            // a deleted key, so that tombstones/ exists before it is removed with the rest of the new layout
            store.setUserMemory(other.id(), "context", "gone", TextNode.valueOf("3"));
            store.deleteUserMemory(other.id(), "context", "gone");
        }
        rewriteAsOldLayout(root);
        assertThat(Files.readString(root.resolve("users").resolve(user.id() + ".json")))
                .doesNotContain("version");

        try (DataAccess store = open(root)) {
            List<Long> versions = new ArrayList<>();
            scanAll(store).forEach(v -> versions.add(v));
            assertThat(versions)
                    .as("every scanned user, session and memory entry")
                    .hasSize(2 + 2 + 2)
                    .containsOnly(1L);
            assertThat(store.getUser(user.id()).orElseThrow().version()).isEqualTo(1);
            assertThat(store.getUserByExternalId("old-1").orElseThrow().version())
                    .isEqualTo(1);
            assertThat(store.getChatSession("old-chat").orElseThrow().version()).isEqualTo(1);
            assertThat(store.getUserMemory(user.id(), "context").stream().map(MemoryEntry::version))
                    .containsOnly(1L);
            assertThat(store.bulk().findTombstones(List.of(RecordKey.memoryType(other.id(), "context"))))
                    .isEmpty();

            // Changes go on from version 1, optimistic locking included.
            assertThat(store.updateUser(
                                    user.id(),
                                    UserUpdate.builder()
                                            .name("n")
                                            .expectingVersion(1)
                                            .build())
                            .version())
                    .isEqualTo(2);
            store.addMessage("old-chat", NewMessage.user("hello"));
            assertThat(store.getChatSession("old-chat").orElseThrow().version()).isEqualTo(2);
            assertThat(store.setUserMemory(user.id(), "context", "a", TextNode.valueOf("x"))
                            .version())
                    .isEqualTo(2);

            // A bulk upsert compares with the version 1 it read: an equal one is skipped, a newer one applied.
            ChatSession unversioned = store.getChatSession("other-chat").orElseThrow();
            store.bulk()
                    .upsertSessions(List.of(new ChatSession(
                            unversioned.id(),
                            "other-chat",
                            other.id(),
                            "equal",
                            null,
                            null,
                            unversioned.status(),
                            unversioned.createdAt(),
                            unversioned.updatedAt(),
                            null,
                            0,
                            1)));
            assertThat(store.getChatSession("other-chat").orElseThrow().title()).isNull();
            store.bulk().upsertSessions(List.of(unversioned.withVersion(2)));
            assertThat(store.getChatSession("other-chat")).contains(unversioned.withVersion(2));

            // Deleting an old record leaves a tombstone above its version 1.
            assertThat(store.deleteUser(other.id(), DeleteMode.KEEP_SESSIONS)).isTrue();
            assertThat(store.bulk().findTombstones(List.of(RecordKey.user(other.id()))))
                    .containsExactly(Tombstone.ofUser(other.id(), 2));
            assertThat(store.getChatSession("other-chat").orElseThrow().version())
                    .as("detached")
                    .isEqualTo(3);
        }
        assertThat(Files.readString(root.resolve("users").resolve(user.id() + ".json")))
                .as("a record written again carries its version")
                .contains("\"version\":2");
        try (DataAccess store = open(root)) {
            assertThat(store.getUser(user.id()).orElseThrow().version())
                    .as("after reopening")
                    .isEqualTo(2);
            assertThat(store.getChatSession("old-chat").orElseThrow().version()).isEqualTo(2);
            assertThat(session.version()).isEqualTo(1);
        }
    }

    /** @return the versions of every user, session and memory entry the scans return */
    private static List<Long> scanAll(DataAccess store) {
        List<Long> versions = new ArrayList<>();
        ScanBatch<User> users = store.bulk().scanUsers(null, 100);
        users.items().forEach(u -> versions.add(u.version()));
        ScanBatch<ChatSession> sessions = store.bulk().scanSessions(null, 100);
        sessions.items().forEach(s -> versions.add(s.version()));
        ScanBatch<MemoryEntry> memory = store.bulk().scanMemory(null, 100);
        memory.items().forEach(m -> versions.add(m.version()));
        assertThat(List.of(users.hasMore(), sessions.hasMore(), memory.hasMore()))
                .containsOnly(false);
        return versions;
    }

    @Test
    void tombstonesArePrivateFilesNamedLikeTheRecords() throws IOException {
        Path root = temp.resolve("store");
        String hostileChat = "../../etc/passwd";
        UUID userId;
        try (DataAccess store = open(root)) {
            User user = store.createUser(NewUser.withExternalId("../x"));
            userId = user.id();
            ChatSession session = store.createChatSession(NewChatSession.of(hostileChat, user.id()));
            store.addMessage(hostileChat, NewMessage.user("x"));
            store.setUserMemory(user.id(), "../type", "/key", TextNode.valueOf("v"));
            store.deleteUserMemory(user.id(), "../type", "/key");
            store.deleteChatSession(hostileChat);
            store.deleteUser(user.id());
            assertThat(store.bulk()
                            .findTombstones(List.of(
                                    RecordKey.user(user.id()),
                                    RecordKey.session(hostileChat),
                                    RecordKey.memory(user.id(), "../type", "/key"))))
                    .containsExactlyInAnyOrder(
                            Tombstone.ofUser(user.id(), 2),
                            Tombstone.ofSession(hostileChat, session.id(), 3),
                            Tombstone.ofMemory(user.id(), "../type", "/key", 2));
        }
        Path tombstones = root.resolve("tombstones");
        assertThat(tombstones.resolve("users").resolve(userId + ".json")).isRegularFile();
        assertThat(tombstones.resolve("memory").resolve(userId + ".json")).isRegularFile();
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(tombstones)) {
            paths = walk.toList();
        }
        assertThat(paths).hasSizeGreaterThanOrEqualTo(1 + 4 + 4);
        for (Path p : paths) {
            String expected = Files.isDirectory(p) ? "rwx------" : "rw-------";
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
                    .as(p.toString())
                    .isEqualTo(expected);
            assertThat(p.getFileName().toString()).as(p.toString()).matches("[0-9a-f\\-]+(\\.json)?|[a-z\\-]+");
        }
        try (Stream<Path> walk = Files.walk(temp)) {
            assertThat(walk.filter(p -> !p.startsWith(root) && !p.equals(temp)))
                    .as("nothing outside the root")
                    .isEmpty();
        }
    }

    @Test
    void aRolledBackTransactionUndoesTombstonesWithTheRecords() {
        try (DataAccess store = open(temp.resolve("store"))) {
            User user = store.createUser(NewUser.withExternalId("tx"));
            ChatSession session = store.createChatSession(NewChatSession.of("tx-chat", user.id()));
            store.setUserMemory(user.id(), "context", "k", TextNode.valueOf("v"));
            store.setUserMemory(user.id(), "context", "deleted", TextNode.valueOf("v"));
            store.deleteUserMemory(user.id(), "context", "deleted");
            List<RecordKey> keys = List.of(
                    RecordKey.user(user.id()),
                    RecordKey.session("tx-chat"),
                    RecordKey.memoryType(user.id(), "context"));
            List<Tombstone> before = store.bulk().findTombstones(keys);
            assertThat(before).containsExactly(Tombstone.ofMemory(user.id(), "context", "deleted", 2));

            assertThatThrownBy(() -> store.useTransaction(tx -> {
                        tx.deleteChatSession("tx-chat");
                        tx.deleteUserMemory(user.id(), "context", "k");
                        tx.setUserMemory(user.id(), "context", "deleted", TextNode.valueOf("again"));
                        tx.deleteUser(user.id(), DeleteMode.PURGE);
                        assertThat(tx.bulk().findTombstones(keys))
                                .as("inside the transaction")
                                .hasSize(3);
                        throw new IllegalStateException("roll back");
                    }))
                    .hasMessageContaining("roll back");

            assertThat(store.bulk().findTombstones(keys))
                    .as("tombstones rolled back")
                    .isEqualTo(before);
            assertThat(store.getUser(user.id())).contains(user);
            assertThat(store.getChatSession("tx-chat")).contains(session);
            assertThat(store.getUserMemory(user.id(), "context", "k")
                            .orElseThrow()
                            .version())
                    .isEqualTo(1);
            assertThat(store.getUserMemory(user.id(), "context", "deleted")).isEmpty();

            store.updateChatSession(
                    "tx-chat", ChatSessionUpdate.builder().title("t").build());
            assertThat(store.getChatSession("tx-chat").orElseThrow().version()).isEqualTo(2);
        }
    }
}

package dev.dal.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.User;
import dev.dal.testkit.MutableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the file store leaves on disk: private permissions, encoded names, nothing outside its root. */
class FileStoreDiskLayoutTest {
    @TempDir
    Path temp;

    private DataAccess open(Path dir) {
        return TempFileStores.open(dir, MutableClock.startingNow());
    }

    private static List<Path> everything(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(p -> !p.equals(root)).toList();
        }
    }

    @Test
    void directoriesAre0700AndFilesAre0600() throws IOException {
        Path root = temp.resolve("store");
        try (DataAccess store = open(root)) {
            User user = store.createUser(NewUser.withExternalId("ext-1"));
            store.createChatSession(NewChatSession.of("chat-1", user.id()));
            store.addMessage("chat-1", NewMessage.user("hello"));
            store.setUserMemory(user.id(), "profile", "k", com.fasterxml.jackson.databind.node.TextNode.valueOf("v"));
            // deletions leave tombstone files, which must be as private
            store.setUserMemory(
                    user.id(), "profile", "gone", com.fasterxml.jackson.databind.node.TextNode.valueOf("v"));
            store.deleteUserMemory(user.id(), "profile", "gone");
            store.createChatSession(NewChatSession.of("chat-2"));
            store.deleteChatSession("chat-2");
            store.deleteUser(store.createUser(NewUser.withExternalId("ext-2")).id());
        }
        assertThat(root.resolve("tombstones").resolve("chat-ids")).isDirectory();
        assertThat(root.resolve("tombstones").resolve("memory")).isDirectory();
        assertThat(root.resolve("tombstones").resolve("users")).isDirectory();
        List<Path> paths = everything(root);
        assertThat(paths).hasSizeGreaterThan(8);
        assertThat(Files.getPosixFilePermissions(root)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        for (Path p : paths) {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
            String expected = Files.isDirectory(p) ? "rwx------" : "rw-------";
            assertThat(PosixFilePermissions.toString(perms)).as(p.toString()).isEqualTo(expected);
        }
    }

    @Test
    void callerKeysNeverBecomeFileNames() throws IOException {
        Path root = temp.resolve("store");
        List<String> hostile = List.of(
                "../escape",
                "..%2f..%2fescape",
                "/etc/passwd",
                "a/b/c",
                "C:\\x",
                "x".repeat(255),
                ".",
                "..",
                "con",
                "NUL");
        try (DataAccess store = open(root)) {
            for (String id : hostile) {
                store.createUser(NewUser.withExternalId(id));
                ChatSession s = store.createChatSession(NewChatSession.of(id));
                store.addMessage(id, NewMessage.user(id));
                assertThat(store.getChatSession(id))
                        .contains(
                                s.withMessages(1, store.getChatSession(id).get().lastMessageAt()));
                assertThat(store.getUserByExternalId(id)).isPresent();
            }
            // Deleted, they leave tombstones, named the same way.
            for (String id : hostile.subList(0, hostile.size() / 2)) {
                assertThat(store.deleteChatSession(id)).isTrue();
                User user = store.getUserByExternalId(id).orElseThrow();
                store.setUserMemory(user.id(), id, id, com.fasterxml.jackson.databind.node.TextNode.valueOf(id));
                assertThat(store.deleteUserMemory(user.id(), id, id)).isTrue();
                assertThat(store.deleteUser(user.id())).isTrue();
            }
        }
        assertThat(Files.list(temp).toList()).containsExactly(root);
        for (Path p : everything(root)) {
            String name = p.getFileName().toString();
            assertThat(name).matches("[0-9a-f\\-]+(\\.json)?|[a-z\\-]+(\\.(json|ndjson|idx|digest|lock|base|tail))?");
            assertThat(hostile).doesNotContain(name);
        }
    }

    @Test
    void dataDirThatIsAFileIsAConfigurationError() throws IOException {
        Path file = Files.createFile(temp.resolve("not-a-dir"));
        assertThatThrownBy(() -> open(file))
                .isInstanceOf(dev.dal.api.ConfigurationException.class)
                .hasMessageContaining("DATA_DIR");
    }
}

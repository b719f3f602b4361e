package dev.dal.api.internal;

import static dev.dal.api.internal.ValidatorTest.assertRejected;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.dal.api.Change;
import dev.dal.api.ChatSession;
import dev.dal.api.ChatSessionUpdate;
import dev.dal.api.DalConfig;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.Role;
import dev.dal.api.SessionStatus;
import dev.dal.api.User;
import dev.dal.api.UserStatus;
import dev.dal.api.UserUpdate;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RecordValidatorTest {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00.123Z");
    private final RecordValidator records =
            new RecordValidator(new Validator(DalConfig.builder().build()));

    @Test
    void newUserFieldsAreChecked() {
        assertThatCode(() -> records.newUser(NewUser.builder()
                        .externalId("clerk_1")
                        .email("a@b.c")
                        .name("Ann")
                        .profile(NODES.objectNode().put("x", 1))
                        .build()))
                .doesNotThrowAnyException();

        assertRejected(() -> records.newUser(null), "user", "required");
        assertRejected(
                () -> records.newUser(NewUser.withExternalId("e".repeat(256))), "user.externalId", "at most 255");
        assertRejected(() -> records.newUser(NewUser.builder().email("e\u0000").build()), "user.email", "NUL");
        assertRejected(() -> records.newUser(NewUser.builder().name("\uDC00").build()), "user.name", "surrogate");
        assertRejected(
                () -> records.newUser(
                        NewUser.builder().profile(NODES.arrayNode()).build()),
                "user.profile",
                "JSON object");
        assertRejected(
                () -> records.newUser(NewUser.builder()
                        .preferences(NODES.objectNode().put("d", Double.NaN))
                        .build()),
                "user.preferences.d",
                "finite");
    }

    @Test
    void userUpdateChecksOnlyWhatItSets() {
        assertThatCode(() -> records.userUpdate(UserUpdate.builder().build())).doesNotThrowAnyException();
        assertThatCode(() -> records.userUpdate(UserUpdate.builder()
                        .email(null)
                        .name(null)
                        .externalId(null)
                        .build()))
                .doesNotThrowAnyException();

        assertRejected(() -> records.userUpdate(null), "update", "required");
        assertRejected(
                () -> records.userUpdate(
                        UserUpdate.builder().email("x".repeat(256)).build()),
                "update.email",
                "at most 255");
        assertRejected(
                () -> records.userUpdate(
                        UserUpdate.builder().externalId("a\u0000").build()),
                "update.externalId",
                "NUL");
        assertRejected(
                () -> records.userUpdate(
                        UserUpdate.builder().profile(NODES.textNode("p")).build()),
                "update.profile",
                "JSON object");
        assertRejected(
                () -> records.userUpdate(UserUpdate.builder().status(null).build()), "update.status", "null");
    }

    @Test
    void newSessionFieldsAreChecked() {
        assertThatCode(() -> records.newSession(new NewChatSession("chat-1", null, "Title", "p".repeat(50), null)))
                .doesNotThrowAnyException();

        assertRejected(() -> records.newSession(null), "session", "required");
        assertRejected(() -> records.newSession(NewChatSession.of(null)), "session.chatId", "required");
        assertRejected(() -> records.newSession(NewChatSession.of("  ")), "session.chatId", "blank");
        assertRejected(() -> records.newSession(NewChatSession.of("c".repeat(256))), "session.chatId", "at most 255");
        assertRejected(
                () -> records.newSession(new NewChatSession("c", null, "t".repeat(256), null, null)),
                "session.title",
                "at most 255");
        assertRejected(
                () -> records.newSession(new NewChatSession("c", null, null, "p".repeat(51), null)),
                "session.profile",
                "at most 50");
        assertRejected(
                () -> records.newSession(new NewChatSession("c", null, null, " ", null)), "session.profile", "blank");
        assertRejected(
                () -> records.newSession(new NewChatSession("c", null, null, null, NODES.arrayNode())),
                "session.metadata",
                "JSON object");
    }

    @Test
    void sessionUpdateChecksOnlyWhatItSets() {
        assertThatCode(() -> records.sessionUpdate(
                        ChatSessionUpdate.builder().title(null).userId(null).build()))
                .doesNotThrowAnyException();

        assertRejected(() -> records.sessionUpdate(null), "update", "required");
        assertRejected(
                () -> records.sessionUpdate(
                        ChatSessionUpdate.builder().title("\u0000").build()),
                "update.title",
                "NUL");
        assertRejected(
                () -> records.sessionUpdate(
                        ChatSessionUpdate.builder().profile("p".repeat(51)).build()),
                "update.profile",
                "at most 50");
        assertRejected(
                () -> records.sessionUpdate(ChatSessionUpdate.builder()
                        .metadata(NODES.numberNode(3))
                        .build()),
                "update.metadata",
                "JSON object");
        assertRejected(
                () -> records.sessionUpdate(new ChatSessionUpdate(null, null, null, null, Change.to(null))),
                "update.status",
                "null");
    }

    @Test
    void newMessageFieldsAreChecked() {
        assertThatCode(() -> records.newMessage("message", new NewMessage(Role.TOOL, "", null, 0, true)))
                .doesNotThrowAnyException();

        assertRejected(() -> records.newMessage("message", null), "message", "required");
        assertRejected(() -> records.newMessage("message", NewMessage.of(null, "hi")), "message.role", "required");
        assertRejected(
                () -> records.newMessage("message", NewMessage.of(Role.USER, null)), "message.content", "required");
        assertRejected(
                () -> records.newMessage("messages[3]", NewMessage.user("\uD83D")), "messages[3].content", "surrogate");
        assertRejected(
                () -> records.newMessage("message", new NewMessage(Role.USER, "hi", null, -1, false)),
                "message.tokenCount",
                "negative");
        assertRejected(
                () -> records.newMessage("message", NewMessage.user("hi").withMetadata(NODES.arrayNode())),
                "message.metadata",
                "JSON object");
    }

    @Test
    void exactRecordsAreCheckedForBulkUpsert() {
        UUID id = UUID.randomUUID();
        User user = new User(id, "ext\u0000", null, null, null, null, UserStatus.ACTIVE, NOW, NOW, null);
        assertRejected(() -> records.user(user), "user.externalId", "NUL");

        ChatSession session =
                new ChatSession(id, "chat", null, null, null, null, SessionStatus.ACTIVE, NOW, NOW, null, -1);
        assertRejected(() -> records.session(session), "session.messageCount", "negative");

        Message zero = new Message(id, id, 0, Role.USER, "hi", null, null, false, NOW);
        assertRejected(() -> records.message(zero), "message.sequenceNumber", "1 or more");
        Message negativeTokens = new Message(id, id, 1, Role.USER, "hi", null, -5, false, NOW);
        assertRejected(() -> records.message(negativeTokens), "message.tokenCount", "negative");
        Message nulContent = new Message(id, id, 1, Role.USER, "\u0000", null, null, false, NOW);
        assertRejected(() -> records.message(nulContent), "message.content", "NUL");

        MemoryEntry nan = new MemoryEntry(id, "context", "k", DoubleNode.valueOf(Double.NaN), NOW, NOW, null);
        assertRejected(() -> records.memory(nan), "memory.value", "finite");
        MemoryEntry longType = new MemoryEntry(id, "t".repeat(101), "k", null, NOW, NOW, null);
        assertRejected(() -> records.memory(longType), "memoryType", "at most 100");
    }

    @Test
    void memoryAddressChecksTypeAndKey() {
        assertThatCode(() -> records.memoryAddress("t".repeat(100), "k".repeat(255)))
                .doesNotThrowAnyException();
        assertThatCode(() -> records.memoryAddress("context", null)).doesNotThrowAnyException();

        assertRejected(() -> records.memoryAddress(null, "k"), "memoryType", "required");
        assertRejected(() -> records.memoryAddress("", "k"), "memoryType", "blank");
        assertRejected(() -> records.memoryAddress("context", " "), "key", "blank");
        assertRejected(() -> records.memoryAddress("context", "k".repeat(256)), "key", "at most 255");
    }
}

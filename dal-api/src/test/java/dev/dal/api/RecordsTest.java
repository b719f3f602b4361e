package dev.dal.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RecordsTest {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Instant NANOS = Instant.parse("2024-03-04T05:06:07.123456789Z");
    private static final Instant MILLIS = Instant.parse("2024-03-04T05:06:07.123Z");
    private static final UUID ID = UUID.fromString("0190a8e4-7a3b-7c00-8000-000000000001");
    private static final UUID OTHER = UUID.fromString("0190a8e4-7a3b-7c00-8000-000000000002");

    private static ObjectNode object(String key, int value) {
        ObjectNode node = NODES.objectNode();
        node.put(key, value);
        return node;
    }

    // ---- User ----

    @Test
    void userCopiesJsonOnTheWayIn() {
        ObjectNode profile = object("a", 1);
        ObjectNode preferences = object("theme", 2);
        User user = new User(ID, "ext", "e@x", "n", profile, preferences, UserStatus.ACTIVE, NANOS, NANOS, null);

        profile.put("a", 99);
        preferences.removeAll();

        assertThat(user.profile()).isEqualTo(object("a", 1));
        assertThat(user.preferences()).isEqualTo(object("theme", 2));
    }

    @Test
    void userCopiesJsonOnTheWayOut() {
        User user = new User(ID, null, null, null, object("a", 1), null, UserStatus.ACTIVE, NANOS, NANOS, null);

        user.profile().put("a", 99);
        user.preferences().put("x", 1);

        assertThat(user.profile()).isEqualTo(object("a", 1));
        assertThat(user.preferences()).isEmpty();
        assertThat(user.profile()).isNotSameAs(user.profile());
    }

    @Test
    void userTruncatesTimestampsAndCanonicalizesJson() {
        ObjectNode profile = NODES.objectNode();
        profile.set("n", LongNode.valueOf(3));
        User user = new User(
                ID, null, null, null, profile, null, UserStatus.ACTIVE, NANOS, MILLIS.plusNanos(999_999), NANOS);

        assertThat(user.createdAt()).isEqualTo(MILLIS);
        assertThat(user.updatedAt()).isEqualTo(MILLIS);
        assertThat(user.lastActiveAt()).isEqualTo(MILLIS);
        assertThat(user.profile().get("n")).isEqualTo(IntNode.valueOf(3));
        assertThat(user)
                .isEqualTo(new User(
                        ID, null, null, null, object("n", 3), null, UserStatus.ACTIVE, MILLIS, MILLIS, MILLIS));
    }

    @Test
    void userRequiresIdStatusAndTimes() {
        assertThatThrownBy(() -> new User(null, null, null, null, null, null, UserStatus.ACTIVE, NANOS, NANOS, null))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new User(ID, null, null, null, null, null, null, NANOS, NANOS, null))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new User(ID, null, null, null, null, null, UserStatus.ACTIVE, null, NANOS, null))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void newUserBuildsAStoredUser() {
        User user = NewUser.builder()
                .externalId("clerk")
                .profile(object("a", 1))
                .build()
                .toUser(ID, NANOS);

        assertThat(user.status()).isEqualTo(UserStatus.ACTIVE);
        assertThat(user.createdAt()).isEqualTo(MILLIS);
        assertThat(user.updatedAt()).isEqualTo(MILLIS);
        assertThat(user.lastActiveAt()).isNull();
        assertThat(user.preferences()).isEmpty();
        assertThat(user.profile()).isEqualTo(object("a", 1));
    }

    // ---- ChatSession ----

    @Test
    void sessionCopiesMetadataBothWays() {
        ObjectNode metadata = object("k", 1);
        ChatSession session =
                new ChatSession(ID, "chat", null, null, null, metadata, SessionStatus.ACTIVE, NANOS, NANOS, null, 0);

        metadata.put("k", 2);
        session.metadata().put("k", 3);

        assertThat(session.metadata()).isEqualTo(object("k", 1));
    }

    @Test
    void sessionDefaultsTruncatesAndOrdersByActivity() {
        ChatSession session =
                new ChatSession(ID, "chat", null, null, null, null, SessionStatus.ACTIVE, NANOS, NANOS, null, 0);

        assertThat(session.profile()).isEqualTo(ChatSession.DEFAULT_PROFILE).isEqualTo("general");
        assertThat(session.metadata()).isEmpty();
        assertThat(session.createdAt()).isEqualTo(MILLIS);
        assertThat(session.lastActivityAt()).isEqualTo(MILLIS);

        Instant later = NANOS.plusSeconds(10);
        ChatSession withMessages = session.withMessages(4, later);
        assertThat(withMessages.messageCount()).isEqualTo(4);
        assertThat(withMessages.lastMessageAt()).isEqualTo(MILLIS.plusSeconds(10));
        assertThat(withMessages.lastActivityAt()).isEqualTo(MILLIS.plusSeconds(10));
        assertThat(withMessages.updatedAt()).isEqualTo(session.updatedAt());
        assertThat(session.messageCount()).as("unchanged").isZero();

        assertThat(session.withUserId(OTHER).userId()).isEqualTo(OTHER);
        assertThat(session.withUserId(OTHER).withUserId(null).userId()).isNull();
    }

    @Test
    void newChatSessionBuildsAnEmptyActiveSession() {
        ChatSession session = new NewChatSession("chat", OTHER, "T", "coder", object("m", 1)).toSession(ID, NANOS);

        assertThat(session)
                .isEqualTo(new ChatSession(
                        ID,
                        "chat",
                        OTHER,
                        "T",
                        "coder",
                        object("m", 1),
                        SessionStatus.ACTIVE,
                        MILLIS,
                        MILLIS,
                        null,
                        0));
    }

    // ---- Message ----

    @Test
    void messageCopiesMetadataBothWaysAndTruncates() {
        ObjectNode metadata = object("model", 1);
        Message message = new Message(ID, OTHER, 1, Role.USER, "hi", metadata, 3, false, NANOS);

        metadata.put("model", 2);
        message.metadata().put("model", 3);

        assertThat(message.metadata()).isEqualTo(object("model", 1));
        assertThat(message.createdAt()).isEqualTo(MILLIS);
        assertThat(new Message(ID, OTHER, 1, Role.USER, "hi", null, null, false, NANOS).metadata())
                .isEmpty();
    }

    @Test
    void newMessageBuildsAStoredMessage() {
        Message message =
                new NewMessage(Role.ASSISTANT, "reply", object("m", 1), 12, true).toMessage(ID, OTHER, 7, NANOS);

        assertThat(message)
                .isEqualTo(new Message(ID, OTHER, 7, Role.ASSISTANT, "reply", object("m", 1), 12, true, MILLIS));
        assertThatThrownBy(() ->
                        NewMessage.user("x").withMetadata(NODES.arrayNode()).toMessage(ID, OTHER, 1, NANOS))
                .isInstanceOf(ValidationException.class);
    }

    // ---- MemoryEntry ----

    @Test
    void memoryCopiesValueBothWays() {
        ArrayNode value = NODES.arrayNode().add(1);
        MemoryEntry entry = new MemoryEntry(ID, "context", "k", value, NANOS, NANOS, null);

        value.add(2);
        ((ArrayNode) entry.value()).add(3);

        assertThat(entry.value()).isEqualTo(JsonValues.parse("[1]"));
    }

    @Test
    void memoryHoldsAnyJsonValueAndNullMeansJsonNull() {
        MemoryEntry nullValue = new MemoryEntry(ID, "context", "k", null, NANOS, NANOS, null);
        MemoryEntry scalar = new MemoryEntry(ID, "context", "k", LongNode.valueOf(5), NANOS, NANOS, null);

        assertThat(nullValue.value()).isNotNull();
        assertThat(nullValue.value().isNull()).isTrue();
        assertThat(scalar.value()).isEqualTo(JsonValues.parse("5"));
        JsonNode text = new MemoryEntry(ID, "t", "k", NODES.textNode("s"), NANOS, NANOS, null).value();
        assertThat(text.textValue()).isEqualTo("s");
    }

    @Test
    void memoryTruncatesTimestampsAndExpiresAtItsInstant() {
        MemoryEntry entry = new MemoryEntry(ID, "context", "k", null, NANOS, NANOS, NANOS.plusSeconds(60));

        assertThat(entry.createdAt()).isEqualTo(MILLIS);
        assertThat(entry.updatedAt()).isEqualTo(MILLIS);
        assertThat(entry.expiresAt()).isEqualTo(MILLIS.plusSeconds(60));
        assertThat(entry.isExpiredAt(MILLIS.plusSeconds(60).minusMillis(1))).isFalse();
        assertThat(entry.isExpiredAt(MILLIS.plusSeconds(60))).isTrue();
        assertThat(entry.isExpiredAt(MILLIS.plusSeconds(61))).isTrue();
        assertThat(new MemoryEntry(ID, "c", "k", null, NANOS, NANOS, null).isExpiredAt(Instant.MAX))
                .isFalse();
    }

    // ---- Timestamps ----

    @Test
    void timestampsTruncateToMillis() {
        assertThat(Timestamps.truncate(NANOS)).isEqualTo(MILLIS);
        assertThat(Timestamps.truncate(null)).isNull();
        assertThat(Timestamps.now(java.time.Clock.fixed(NANOS, java.time.ZoneOffset.UTC)))
                .isEqualTo(MILLIS);
    }
}

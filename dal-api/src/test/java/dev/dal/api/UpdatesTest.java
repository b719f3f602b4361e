package dev.dal.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class UpdatesTest {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Instant CREATED = Instant.parse("2024-01-01T00:00:00Z");
    private static final Instant UPDATED = Instant.parse("2024-01-02T00:00:00Z");
    private static final Instant ACTIVE = Instant.parse("2024-01-03T00:00:00Z");
    private static final Instant NOW = Instant.parse("2024-02-01T10:00:00.123456Z");
    private static final Instant NOW_MILLIS = Instant.parse("2024-02-01T10:00:00.123Z");
    private static final UUID ID = UUID.fromString("0190a8e4-7a3b-7c00-8000-00000000000a");
    private static final UUID OWNER = UUID.fromString("0190a8e4-7a3b-7c00-8000-00000000000b");

    private static ObjectNode object(String key, String value) {
        return NODES.objectNode().put(key, value);
    }

    private static User user() {
        return new User(
                ID,
                "ext",
                "a@b.c",
                "Ann",
                object("p", "1"),
                object("q", "2"),
                UserStatus.ACTIVE,
                CREATED,
                UPDATED,
                ACTIVE);
    }

    private static ChatSession session() {
        return new ChatSession(
                ID,
                "chat",
                OWNER,
                "Title",
                "coder",
                object("m", "1"),
                SessionStatus.ACTIVE,
                CREATED,
                UPDATED,
                ACTIVE,
                9);
    }

    // ---- Change ----

    @Test
    void changeKeepsSetsOrClears() {
        assertThat(Change.<String>keep().isSet()).isFalse();
        assertThat(Change.<String>keep().apply("old")).isEqualTo("old");
        assertThat(Change.to("new").apply("old")).isEqualTo("new");
        assertThat(Change.<String>to(null).isSet()).isTrue();
        assertThat(Change.<String>to(null).apply("old")).isNull();
        assertThat(Change.<String>to(null).value()).isEmpty();
        assertThat(Change.orKeep(null).isSet()).isFalse();
    }

    // ---- UserUpdate ----

    @Test
    void emptyUserUpdateKeepsEverythingButUpdatedAtAndMovesTheVersion() {
        User updated = UserUpdate.builder().build().applyTo(user(), NOW);

        User expected = new User(
                ID,
                "ext",
                "a@b.c",
                "Ann",
                object("p", "1"),
                object("q", "2"),
                UserStatus.ACTIVE,
                CREATED,
                NOW_MILLIS,
                ACTIVE,
                2);
        assertThat(updated).isEqualTo(expected);
        assertThat(updated.updatedAt()).isEqualTo(NOW_MILLIS);
        assertThat(updated.createdAt()).isEqualTo(CREATED);
    }

    @Test
    void userUpdateSetsGivenFields() {
        ObjectNode profile = NODES.objectNode();
        profile.set("n", LongNode.valueOf(1));
        Instant lastActive = Instant.parse("2024-02-01T09:00:00Z");

        User updated = UserUpdate.builder()
                .externalId("ext2")
                .email("new@b.c")
                .name("Bea")
                .profile(profile)
                .status(UserStatus.DISABLED)
                .lastActiveAt(lastActive)
                .build()
                .applyTo(user(), NOW);

        assertThat(updated.id()).isEqualTo(ID);
        assertThat(updated.externalId()).isEqualTo("ext2");
        assertThat(updated.email()).isEqualTo("new@b.c");
        assertThat(updated.name()).isEqualTo("Bea");
        assertThat(updated.profile()).isEqualTo(JsonValues.parse("{\"n\":1}"));
        assertThat(updated.preferences()).as("kept").isEqualTo(object("q", "2"));
        assertThat(updated.status()).isEqualTo(UserStatus.DISABLED);
        assertThat(updated.lastActiveAt()).isEqualTo(lastActive);
        assertThat(updated.createdAt()).isEqualTo(CREATED);
        assertThat(updated.updatedAt()).isEqualTo(NOW_MILLIS);
    }

    @Test
    void userUpdateSetToNullClears() {
        User updated = UserUpdate.builder()
                .externalId(null)
                .email(null)
                .name(null)
                .profile(null)
                .preferences(null)
                .lastActiveAt(null)
                .build()
                .applyTo(user(), NOW);

        assertThat(updated.externalId()).isNull();
        assertThat(updated.email()).isNull();
        assertThat(updated.name()).isNull();
        assertThat(updated.profile()).isEmpty();
        assertThat(updated.preferences()).isEmpty();
        assertThat(updated.lastActiveAt()).isNull();
        assertThat(updated.status()).isEqualTo(UserStatus.ACTIVE);
    }

    @Test
    void nullChangesInTheConstructorMeanKeep() {
        UserUpdate update = new UserUpdate(null, null, null, null, null, null, null);

        assertThat(update.email().isSet()).isFalse();
        assertThat(update.applyTo(user(), NOW).email()).isEqualTo("a@b.c");
    }

    @Test
    void userUpdateDoesNotShareJsonWithTheCaller() {
        ObjectNode profile = object("a", "1");
        UserUpdate update = UserUpdate.builder().profile(profile).build();
        User updated = update.applyTo(user(), NOW);

        profile.put("a", "changed");

        assertThat(updated.profile()).isEqualTo(object("a", "1"));
    }

    // ---- ChatSessionUpdate ----

    @Test
    void emptySessionUpdateKeepsEverythingButUpdatedAtAndMovesTheVersion() {
        ChatSession updated = ChatSessionUpdate.builder().build().applyTo(session(), NOW);

        assertThat(updated)
                .isEqualTo(new ChatSession(
                        ID,
                        "chat",
                        OWNER,
                        "Title",
                        "coder",
                        object("m", "1"),
                        SessionStatus.ACTIVE,
                        CREATED,
                        NOW_MILLIS,
                        ACTIVE,
                        9,
                        2));
    }

    @Test
    void sessionUpdateSetsGivenFieldsAndLeavesCountersAlone() {
        UUID newOwner = UUID.fromString("0190a8e4-7a3b-7c00-8000-00000000000c");

        ChatSession updated = ChatSessionUpdate.builder()
                .userId(newOwner)
                .title("New")
                .profile("general")
                .metadata(object("m", "2"))
                .status(SessionStatus.ARCHIVED)
                .build()
                .applyTo(session(), NOW);

        assertThat(updated.id()).isEqualTo(ID);
        assertThat(updated.chatId()).isEqualTo("chat");
        assertThat(updated.userId()).isEqualTo(newOwner);
        assertThat(updated.title()).isEqualTo("New");
        assertThat(updated.profile()).isEqualTo("general");
        assertThat(updated.metadata()).isEqualTo(object("m", "2"));
        assertThat(updated.status()).isEqualTo(SessionStatus.ARCHIVED);
        assertThat(updated.createdAt()).isEqualTo(CREATED);
        assertThat(updated.updatedAt()).isEqualTo(NOW_MILLIS);
        assertThat(updated.lastMessageAt()).isEqualTo(ACTIVE);
        assertThat(updated.messageCount()).isEqualTo(9);
    }

    @Test
    void sessionUpdateSetToNullClearsDetachesOrResets() {
        ChatSession updated = ChatSessionUpdate.builder()
                .userId(null)
                .title(null)
                .profile(null)
                .metadata(null)
                .build()
                .applyTo(session(), NOW);

        assertThat(updated.userId()).isNull();
        assertThat(updated.title()).isNull();
        assertThat(updated.profile()).isEqualTo(ChatSession.DEFAULT_PROFILE);
        assertThat(updated.metadata()).isEmpty();
        assertThat(updated.status()).isEqualTo(SessionStatus.ACTIVE);
    }

    // ---- expected versions ----

    @Test
    void anExpectedVersionThatMatchesApplies() {
        User updated =
                UserUpdate.builder().name("B").expectingVersion(1).build().applyTo(user(), NOW);
        ChatSession session = ChatSessionUpdate.builder()
                .title("T")
                .expectingVersion(1)
                .build()
                .applyTo(session(), NOW);

        assertThat(updated.version()).isEqualTo(2);
        assertThat(session.version()).isEqualTo(2);
    }

    @Test
    void anExpectedVersionThatDiffersIsAConflictNamingBothVersions() {
        assertThatThrownBy(() -> UserUpdate.builder()
                        .name("B")
                        .expectingVersion(3)
                        .build()
                        .applyTo(user(), NOW))
                .isInstanceOf(ConcurrencyConflictException.class)
                .hasMessageContaining("version 3")
                .hasMessageContaining("at version 1");
        assertThatThrownBy(() ->
                        ChatSessionUpdate.builder().expectingVersion(0).build().applyTo(session(), NOW))
                .isInstanceOf(ConcurrencyConflictException.class);
    }
}

package dev.dal.testkit;

import static dev.dal.testkit.Fixtures.F;
import static dev.dal.testkit.Fixtures.LONE_HIGH;
import static dev.dal.testkit.Fixtures.LONE_LOW;
import static dev.dal.testkit.Fixtures.NUL;
import static dev.dal.testkit.Fixtures.assertRejected;
import static dev.dal.testkit.Fixtures.object;
import static dev.dal.testkit.Fixtures.seed;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.ChatSession;
import dev.dal.api.ChatSessionUpdate;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.HistoryQuery;
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
import dev.dal.api.bulk.BulkAccess;
import dev.dal.api.spi.Ids;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Validation: every bad value is rejected with a {@link dev.dal.api.ValidationException} whose
 * {@code field()} names the value and whose {@code rule()} says what was wrong, and the store is
 * left exactly as it was. Each test runs against a seeded store so that "nothing written" means
 * something.
 */
public interface ValidationContract extends ConformanceTest {

    /** A string of {@code length} characters. */
    private static String chars(int length) {
        char[] chars = new char[length];
        Arrays.fill(chars, 'x');
        return new String(chars);
    }

    // ---- ids and keys: required, not blank, at most 255 characters ----

    /**
     * A {@code null} chat id is rejected when creating a session, reading one or adding a message.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void nullChatIdIsRejected(DataAccess store) {
        seed(store);
        assertRejected(store, "session.chatId", () -> store.createChatSession(NewChatSession.of(null)));
        assertRejected(store, "chatId", () -> store.getChatSession(null));
        assertRejected(store, "chatId", () -> store.addMessage(null, NewMessage.user("x")));
    }

    /**
     * A blank chat id is rejected wherever a chat id is given.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void blankChatIdIsRejected(DataAccess store) {
        seed(store);
        assertRejected(store, "session.chatId", () -> store.createChatSession(NewChatSession.of("")));
        assertRejected(store, "session.chatId", () -> store.createChatSession(NewChatSession.of(" \t\n")));
        assertRejected(store, "chatId", () -> store.getMessageCount("   "));
        assertRejected(store, "chatId", () -> store.deleteChatSession(""));
    }

    /**
     * A chat id longer than 255 characters is rejected wherever a chat id is given.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void chatIdLongerThan255IsRejected(DataAccess store) {
        seed(store);
        assertRejected(store, "session.chatId", () -> store.createChatSession(NewChatSession.of(chars(256))));
        assertRejected(store, "chatId", () -> store.getChatHistory(chars(256), 10, 0));
        assertRejected(
                store,
                "chatId",
                () -> store.updateChatSession(
                        chars(300), ChatSessionUpdate.builder().build()));
    }

    /**
     * Length limits count code points, not UTF-16 units.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void lengthLimitsCountCodePointsNotUtf16Units(DataAccess store) {
        User user = seed(store).user();
        String emoji256 = "\ud83d\udcac".repeat(256);
        assertRejected(store, "session.chatId", () -> store.createChatSession(NewChatSession.of(emoji256)));
        assertRejected(store, "user.externalId", () -> store.createUser(NewUser.withExternalId(emoji256)));
        assertRejected(store, "key", () -> store.setUserMemory(user.id(), "context", emoji256, F.nullNode()));
        assertRejected(
                store,
                "memoryType",
                () -> store.setUserMemory(user.id(), "\ud83d\udcac".repeat(101), "k", F.nullNode()));
    }

    /**
     * An external id longer than 255 characters is rejected on create, update and lookup.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void externalIdLongerThan255IsRejected(DataAccess store) {
        User user = seed(store).user();
        assertRejected(store, "user.externalId", () -> store.createUser(NewUser.withExternalId(chars(256))));
        assertRejected(
                store,
                "update.externalId",
                () -> store.updateUser(
                        user.id(), UserUpdate.builder().externalId(chars(256)).build()));
        assertRejected(store, "externalId", () -> store.getUserByExternalId(chars(256)));
    }

    /**
     * A blank external id is rejected on create and update.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void blankExternalIdIsRejectedOnCreateAndUpdate(DataAccess store) {
        User user = seed(store).user();
        assertRejected(store, "user.externalId", () -> store.createUser(NewUser.withExternalId("")));
        assertRejected(store, "user.externalId", () -> store.createUser(NewUser.withExternalId(" \t")));
        assertRejected(
                store,
                "update.externalId",
                () -> store.updateUser(
                        user.id(), UserUpdate.builder().externalId("  ").build()));
    }

    /**
     * A lookup by a {@code null} or blank external id is rejected.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void nullOrBlankExternalIdLookupIsRejected(DataAccess store) {
        seed(store);
        assertRejected(store, "externalId", () -> store.getUserByExternalId(null));
        assertRejected(store, "externalId", () -> store.getUserByExternalId(" "));
    }

    /**
     * A memory key that is {@code null}, blank or longer than 255 characters is rejected on set, read and delete.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void memoryKeyNullBlankOrLongerThan255IsRejected(DataAccess store) {
        UUID user = seed(store).user().id();
        assertRejected(store, "key", () -> store.setUserMemory(user, "context", null, F.textNode("v")));
        assertRejected(store, "key", () -> store.setUserMemory(user, "context", "", F.textNode("v")));
        assertRejected(store, "key", () -> store.setUserMemory(user, "context", chars(256), F.textNode("v")));
        assertRejected(store, "key", () -> store.getUserMemory(user, "context", (String) null));
        assertRejected(store, "key", () -> store.deleteUserMemory(user, "context", " "));
    }

    /**
     * A memory type that is {@code null}, blank or longer than 100 characters is rejected on set, read and delete.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void memoryTypeNullBlankOrLongerThan100IsRejected(DataAccess store) {
        UUID user = seed(store).user().id();
        assertRejected(store, "memoryType", () -> store.setUserMemory(user, null, "k", F.textNode("v")));
        assertRejected(store, "memoryType", () -> store.setUserMemory(user, " ", "k", F.textNode("v")));
        assertRejected(store, "memoryType", () -> store.setUserMemory(user, chars(101), "k", F.textNode("v")));
        assertRejected(store, "memoryType", () -> store.getUserMemory(user, chars(101)));
        assertRejected(store, "memoryType", () -> store.deleteUserMemory(user, ""));
    }

    /**
     * An e-mail, name or title longer than 255 characters is rejected on create and update.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void emailNameAndTitleLongerThan255AreRejected(DataAccess store) {
        User user = seed(store).user();
        assertRejected(
                store,
                "user.email",
                () -> store.createUser(NewUser.builder().email(chars(256)).build()));
        assertRejected(
                store,
                "user.name",
                () -> store.createUser(NewUser.builder().name(chars(256)).build()));
        assertRejected(
                store,
                "update.name",
                () -> store.updateUser(
                        user.id(), UserUpdate.builder().name(chars(256)).build()));
        assertRejected(
                store,
                "update.email",
                () -> store.updateUser(
                        user.id(), UserUpdate.builder().email(chars(256)).build()));
        assertRejected(
                store,
                "session.title",
                () -> store.createChatSession(new NewChatSession("t", null, chars(256), null, null)));
        assertRejected(
                store,
                "update.title",
                () -> store.updateChatSession(
                        "seed-chat",
                        ChatSessionUpdate.builder().title(chars(256)).build()));
    }

    /**
     * A session profile longer than 50 characters, or blank, is rejected on create and update.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void sessionProfileLongerThan50OrBlankIsRejected(DataAccess store) {
        seed(store);
        assertRejected(
                store,
                "session.profile",
                () -> store.createChatSession(new NewChatSession("p", null, null, chars(51), null)));
        assertRejected(
                store,
                "session.profile",
                () -> store.createChatSession(new NewChatSession("p", null, null, " ", null)));
        assertRejected(
                store,
                "update.profile",
                () -> store.updateChatSession(
                        "seed-chat",
                        ChatSessionUpdate.builder().profile(chars(51)).build()));
    }

    // ---- NUL characters, in every string field ----

    /**
     * A NUL character in a user's text fields is rejected on create, update and lookup.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void nulInUserFieldsIsRejected(DataAccess store) {
        User user = seed(store).user();
        assertRejected(store, "user.externalId", () -> store.createUser(NewUser.withExternalId(NUL)));
        assertRejected(
                store,
                "user.email",
                () -> store.createUser(NewUser.builder().email(NUL).build()));
        assertRejected(
                store,
                "user.name",
                () -> store.createUser(NewUser.builder().name(NUL).build()));
        assertRejected(
                store,
                "update.externalId",
                () -> store.updateUser(
                        user.id(), UserUpdate.builder().externalId(NUL).build()));
        assertRejected(
                store,
                "update.email",
                () -> store.updateUser(
                        user.id(), UserUpdate.builder().email(NUL).build()));
        assertRejected(
                store,
                "update.name",
                () -> store.updateUser(user.id(), UserUpdate.builder().name(NUL).build()));
        assertRejected(store, "externalId", () -> store.getUserByExternalId(NUL));
    }

    /**
     * A NUL character in a session's text fields is rejected on create, update and lookup.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void nulInSessionFieldsIsRejected(DataAccess store) {
        seed(store);
        assertRejected(store, "session.chatId", () -> store.createChatSession(NewChatSession.of(NUL)));
        assertRejected(
                store, "session.title", () -> store.createChatSession(new NewChatSession("c", null, NUL, null, null)));
        assertRejected(
                store,
                "session.profile",
                () -> store.createChatSession(new NewChatSession("c", null, null, NUL, null)));
        assertRejected(
                store,
                "update.title",
                () -> store.updateChatSession(
                        "seed-chat", ChatSessionUpdate.builder().title(NUL).build()));
        assertRejected(
                store,
                "update.profile",
                () -> store.updateChatSession(
                        "seed-chat", ChatSessionUpdate.builder().profile(NUL).build()));
        assertRejected(store, "chatId", () -> store.getChatSession(NUL));
    }

    /**
     * A NUL character in message content or in the chat id of a message is rejected.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void nulInMessageContentIsRejected(DataAccess store) {
        seed(store);
        assertRejected(store, "message.content", () -> store.addMessage("seed-chat", NewMessage.user(NUL)));
        assertRejected(store, "message.content", () -> store.addMessage("seed-chat", NewMessage.user("\u0000")));
        assertRejected(store, "chatId", () -> store.addMessage(NUL, NewMessage.user("x")));
    }

    /**
     * A NUL character in a memory type or key is rejected.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void nulInMemoryTypeAndKeyIsRejected(DataAccess store) {
        UUID user = seed(store).user().id();
        assertRejected(store, "memoryType", () -> store.setUserMemory(user, NUL, "k", F.textNode("v")));
        assertRejected(store, "key", () -> store.setUserMemory(user, "context", NUL, F.textNode("v")));
        assertRejected(store, "key", () -> store.getUserMemory(user, "context", NUL));
    }

    /**
     * A NUL character inside a JSON key, at any depth, is rejected in every JSON field.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void nulInsideJsonKeysIsRejected(DataAccess store) {
        User user = seed(store).user();
        ObjectNode badKey = F.objectNode();
        badKey.put(NUL, 1);
        ObjectNode deepBadKey = F.objectNode();
        deepBadKey.set("outer", badKey);
        assertRejected(
                store,
                "user.profile",
                () -> store.createUser(NewUser.builder().profile(badKey).build()));
        assertRejected(
                store,
                "user.preferences",
                () -> store.createUser(NewUser.builder().preferences(deepBadKey).build()));
        assertRejected(
                store,
                "session.metadata",
                () -> store.createChatSession(new NewChatSession("c", null, null, null, deepBadKey)));
        assertRejected(
                store,
                "message.metadata",
                () -> store.addMessage("seed-chat", NewMessage.user("x").withMetadata(badKey)));
        assertRejected(store, "value", () -> store.setUserMemory(user.id(), "context", "k", deepBadKey));
    }

    /**
     * A NUL character inside a JSON string value is rejected in every JSON field.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void nulInsideJsonStringValuesIsRejected(DataAccess store) {
        User user = seed(store).user();
        ObjectNode badValue = F.objectNode();
        badValue.putArray("list").add("ok").add(NUL);
        assertRejected(
                store,
                "user.profile",
                () -> store.createUser(NewUser.builder().profile(badValue).build()));
        assertRejected(
                store,
                "update.profile",
                () -> store.updateUser(
                        user.id(), UserUpdate.builder().profile(badValue).build()));
        assertRejected(
                store,
                "update.metadata",
                () -> store.updateChatSession(
                        "seed-chat",
                        ChatSessionUpdate.builder().metadata(badValue).build()));
        assertRejected(
                store,
                "message.metadata",
                () -> store.addMessage("seed-chat", NewMessage.user("x").withMetadata(badValue)));
        assertRejected(store, "value", () -> store.setUserMemory(user.id(), "context", "k", F.textNode(NUL)));
    }

    // ---- unpaired surrogates ----

    /**
     * Unpaired UTF-16 surrogates in text fields are rejected.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void unpairedSurrogatesInStringsAreRejected(DataAccess store) {
        User user = seed(store).user();
        assertRejected(store, "message.content", () -> store.addMessage("seed-chat", NewMessage.user(LONE_HIGH)));
        assertRejected(store, "message.content", () -> store.addMessage("seed-chat", NewMessage.user(LONE_LOW)));
        assertRejected(store, "message.content", () -> store.addMessage("seed-chat", NewMessage.user("end\ud83d")));
        assertRejected(store, "session.chatId", () -> store.createChatSession(NewChatSession.of(LONE_LOW)));
        assertRejected(
                store,
                "user.name",
                () -> store.createUser(NewUser.builder().name(LONE_HIGH).build()));
        assertRejected(store, "key", () -> store.setUserMemory(user.id(), "context", LONE_HIGH, F.textNode("v")));
    }

    /**
     * Unpaired UTF-16 surrogates inside JSON keys and values are rejected.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void unpairedSurrogatesInJsonAreRejected(DataAccess store) {
        User user = seed(store).user();
        ObjectNode badKey = F.objectNode();
        badKey.put(LONE_LOW, 1);
        assertRejected(
                store,
                "user.profile",
                () -> store.createUser(NewUser.builder().profile(badKey).build()));
        assertRejected(
                store,
                "value",
                () -> store.setUserMemory(
                        user.id(), "context", "k", F.arrayNode().add(LONE_HIGH)));
    }

    // ---- content length ----

    /**
     * Message content longer than the default limit is rejected, alone and in a batch.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void contentLongerThanTheDefaultLimitIsRejected(DataAccess store) {
        seed(store);
        int max = DalConfig.builder().build().maxContentLength();
        assertRejected(store, "message.content", () -> store.addMessage("seed-chat", NewMessage.user(chars(max + 1))));
        assertRejected(
                store,
                "messages[1].content",
                () -> store.addMessages(
                        "seed-chat", List.of(NewMessage.user("fine"), NewMessage.user(chars(max + 1)))));
    }

    /**
     * A {@code null} message, content or role is rejected.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void nullContentOrRoleIsRejected(DataAccess store) {
        seed(store);
        assertRejected(store, "message.content", () -> store.addMessage("seed-chat", NewMessage.user(null)));
        assertRejected(store, "message.role", () -> store.addMessage("seed-chat", NewMessage.of(null, "x")));
        assertRejected(store, "message", () -> store.addMessage("seed-chat", null));
    }

    /**
     * A negative token count is rejected, alone and in a batch.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void negativeTokenCountIsRejected(DataAccess store) {
        seed(store);
        assertRejected(
                store,
                "message.tokenCount",
                () -> store.addMessage("seed-chat", new NewMessage(Role.USER, "x", null, -1, false)));
        assertRejected(
                store,
                "messages[0].tokenCount",
                () -> store.addMessages(
                        "seed-chat", List.of(new NewMessage(Role.USER, "x", null, Integer.MIN_VALUE, false))));
    }

    // ---- JSON shape ----

    /**
     * JSON larger than the byte limit, counted in encoded bytes, is rejected in every JSON field, while JSON within it
     * is stored.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void jsonLargerThanTheByteLimitIsRejected(DataAccess store) {
        User user = seed(store).user();
        int limit = DalConfig.builder().build().maxJsonBytes();
        ObjectNode tooBig = Fixtures.F.objectNode().put("blob", "é".repeat(limit / 2));
        ObjectNode fits = Fixtures.F.objectNode().put("blob", "e".repeat(limit / 2));
        assertRejected(
                store,
                "user.profile",
                () -> store.createUser(NewUser.builder().profile(tooBig).build()));
        assertRejected(
                store,
                "update.preferences",
                () -> store.updateUser(
                        user.id(), UserUpdate.builder().preferences(tooBig).build()));
        assertRejected(
                store,
                "session.metadata",
                () -> store.createChatSession(new NewChatSession("big", null, null, null, tooBig)));
        assertRejected(
                store,
                "message.metadata",
                () -> store.addMessage("seed-chat", NewMessage.user("x").withMetadata(tooBig)));
        assertRejected(
                store,
                "value",
                () -> store.setUserMemory(user.id(), "context", "k", Fixtures.F.textNode("\u0001".repeat(limit / 5))));
        assertThat(store.setUserMemory(user.id(), "context", "k", fits).value()).isEqualTo(fits);
    }

    /**
     * JSON nested deeper than the depth limit is rejected in every JSON field.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void jsonDeeperThanTheLimitIsRejected(DataAccess store) {
        User user = seed(store).user();
        int limit = DalConfig.builder().build().maxJsonDepth();
        ObjectNode tooDeep = Fixtures.nestedObject(limit + 1);
        assertRejected(
                store,
                "user.profile",
                () -> store.createUser(NewUser.builder().profile(tooDeep).build()));
        assertRejected(
                store,
                "update.preferences",
                () -> store.updateUser(
                        user.id(), UserUpdate.builder().preferences(tooDeep).build()));
        assertRejected(
                store,
                "session.metadata",
                () -> store.createChatSession(new NewChatSession("deep", null, null, null, tooDeep)));
        assertRejected(
                store,
                "message.metadata",
                () -> store.addMessage("seed-chat", NewMessage.user("x").withMetadata(tooDeep)));
        assertRejected(
                store, "value", () -> store.setUserMemory(user.id(), "context", "k", Fixtures.nested(limit + 1)));
    }

    /**
     * JSON that is not an object where an object is required is rejected.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void nonObjectJsonWhereAnObjectIsRequiredIsRejected(DataAccess store) {
        User user = seed(store).user();
        assertRejected(
                store,
                "user.profile",
                () -> store.createUser(
                        NewUser.builder().profile(F.arrayNode().add(1)).build()));
        assertRejected(
                store,
                "user.preferences",
                () -> store.createUser(
                        NewUser.builder().preferences(F.textNode("dark")).build()));
        assertRejected(
                store,
                "update.profile",
                () -> store.updateUser(
                        user.id(), UserUpdate.builder().profile(F.numberNode(1)).build()));
        assertRejected(
                store,
                "session.metadata",
                () -> store.createChatSession(new NewChatSession("c", null, null, null, F.booleanNode(true))));
        assertRejected(
                store,
                "update.metadata",
                () -> store.updateChatSession(
                        "seed-chat",
                        ChatSessionUpdate.builder().metadata(F.arrayNode()).build()));
        assertRejected(
                store,
                "message.metadata",
                () -> store.addMessage("seed-chat", NewMessage.user("x").withMetadata(F.textNode("{}"))));
    }

    /**
     * NaN and infinite numbers in JSON are rejected.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void nonFiniteNumbersAreRejected(DataAccess store) {
        User user = seed(store).user();
        ObjectNode nan = F.objectNode();
        nan.put("n", Double.NaN);
        ObjectNode infinite = F.objectNode();
        infinite.put("i", Double.POSITIVE_INFINITY);
        assertRejected(
                store,
                "user.profile",
                () -> store.createUser(NewUser.builder().profile(nan).build()));
        assertRejected(
                store,
                "message.metadata",
                () -> store.addMessage("seed-chat", NewMessage.user("x").withMetadata(infinite)));
        assertRejected(
                store,
                "value",
                () -> store.setUserMemory(user.id(), "context", "k", F.numberNode(Double.NEGATIVE_INFINITY)));
        assertRejected(store, "value", () -> store.setUserMemory(user.id(), "context", "k", F.numberNode(Float.NaN)));
    }

    /**
     * Integers beyond 64 bits in JSON are rejected.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void integersBeyond64BitsAreRejected(DataAccess store) {
        User user = seed(store).user();
        BigInteger huge = BigInteger.valueOf(Long.MAX_VALUE).add(BigInteger.ONE);
        ObjectNode big = F.objectNode();
        big.put("big", huge);
        assertRejected(
                store,
                "session.metadata",
                () -> store.createChatSession(new NewChatSession("c", null, null, null, big)));
        assertRejected(store, "value", () -> store.setUserMemory(user.id(), "context", "k", F.numberNode(huge)));
        assertRejected(
                store,
                "value",
                () -> store.setUserMemory(
                        user.id(),
                        "context",
                        "k",
                        F.numberNode(BigInteger.valueOf(Long.MIN_VALUE).subtract(BigInteger.ONE))));
    }

    /**
     * Decimals that are not exact doubles, or out of double range, are rejected.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void decimalsThatAreNotExactDoublesAreRejected(DataAccess store) {
        User user = seed(store).user();
        assertRejected(
                store,
                "value",
                () -> store.setUserMemory(user.id(), "context", "k", F.numberNode(new BigDecimal("0.1"))));
        assertRejected(
                store,
                "value",
                () -> store.setUserMemory(user.id(), "context", "k", F.numberNode(new BigDecimal("1e400"))));
    }

    /**
     * JSON nodes that are not plain JSON, such as binary or POJO nodes, are rejected.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void nonPlainJsonNodesAreRejected(DataAccess store) {
        User user = seed(store).user();
        ObjectNode binary = F.objectNode();
        binary.set("b", F.binaryNode(new byte[] {1, 2, 3}));
        assertRejected(
                store,
                "user.profile",
                () -> store.createUser(NewUser.builder().profile(binary).build()));
        assertRejected(
                store,
                "value",
                () -> store.setUserMemory(user.id(), "context", "k", F.pojoNode(new StringBuilder("x"))));
    }

    // ---- paging ----

    /**
     * A history limit outside 1 to 1000 is rejected, for offset pages and for keyset queries.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void historyLimitOutsideOneToThousandIsRejected(DataAccess store) {
        seed(store);
        assertRejected(store, "limit", () -> store.getChatHistory("seed-chat", 0, 0));
        assertRejected(store, "limit", () -> store.getChatHistory("seed-chat", HistoryQuery.MAX_LIMIT + 1, 0));
        assertRejected(store, "limit", () -> store.getChatHistory("seed-chat", -5, 0));
        assertRejected(store, "query.limit", () -> store.getChatHistory("seed-chat", HistoryQuery.latest(0)));
        assertRejected(store, "query.limit", () -> store.getChatHistory("seed-chat", HistoryQuery.after(0, 1001)));
    }

    /**
     * A negative history offset or cursor is rejected.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void negativeHistoryOffsetOrCursorIsRejected(DataAccess store) {
        seed(store);
        assertRejected(store, "offset", () -> store.getChatHistory("seed-chat", 10, -1));
        assertRejected(store, "query.cursor", () -> store.getChatHistory("seed-chat", HistoryQuery.after(-1, 10)));
        assertRejected(store, "query.cursor", () -> store.getChatHistory("seed-chat", HistoryQuery.before(-7, 10)));
    }

    /**
     * A {@code null} history query, or one without a direction, is rejected.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void incompleteHistoryQueryIsRejected(DataAccess store) {
        seed(store);
        assertRejected(store, "query", () -> store.getChatHistory("seed-chat", (HistoryQuery) null));
        assertRejected(
                store, "query.direction", () -> store.getChatHistory("seed-chat", new HistoryQuery(null, 0, 10)));
    }

    /**
     * A session listing's limit must be 1 to 1000, its offset not negative and its user given.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void sessionListingLimitAndOffsetAreChecked(DataAccess store) {
        UUID user = seed(store).user().id();
        assertRejected(store, "limit", () -> store.listUserSessions(user, 0, 0));
        assertRejected(store, "limit", () -> store.listUserSessions(user, 1001, 0));
        assertRejected(store, "offset", () -> store.listUserSessions(user, 10, -1));
        assertRejected(store, "limit", () -> store.listUserSessionsWithLastMessage(user, 0, 0));
        assertRejected(store, "offset", () -> store.listUserSessionsWithLastMessage(user, 10, -1));
        assertRejected(store, "userId", () -> store.listUserSessions(null, 10, 0));
    }

    // ---- null arguments ----

    /**
     * {@code null} arguments of the user operations are rejected.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void nullUserArgumentsAreRejected(DataAccess store) {
        User user = seed(store).user();
        assertRejected(store, "user", () -> store.createUser(null));
        assertRejected(store, "id", () -> store.getUser(null));
        assertRejected(
                store,
                "id",
                () -> store.updateUser(null, UserUpdate.builder().name("x").build()));
        assertRejected(store, "update", () -> store.updateUser(user.id(), null));
        assertRejected(store, "id", () -> store.deleteUser(null));
        assertRejected(store, "mode", () -> store.deleteUser(user.id(), null));
    }

    /**
     * A {@code null} status in a user or session update is rejected.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void nullStatusInAnUpdateIsRejected(DataAccess store) {
        User user = seed(store).user();
        assertRejected(
                store,
                "update.status",
                () -> store.updateUser(
                        user.id(), UserUpdate.builder().status(null).build()));
        assertRejected(
                store,
                "update.status",
                () -> store.updateChatSession(
                        "seed-chat", ChatSessionUpdate.builder().status(null).build()));
    }

    /**
     * {@code null} arguments of the session operations are rejected.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void nullSessionArgumentsAreRejected(DataAccess store) {
        seed(store);
        assertRejected(store, "session", () -> store.createChatSession(null));
        assertRejected(store, "update", () -> store.updateChatSession("seed-chat", null));
        assertRejected(store, "chatId", () -> store.deleteChatSession(null));
        assertRejected(store, "chatId", () -> store.getMessageCount(null));
    }

    /**
     * A {@code null} user id in the memory operations is rejected.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void nullMemoryArgumentsAreRejected(DataAccess store) {
        seed(store);
        assertRejected(store, "userId", () -> store.setUserMemory(null, "context", "k", F.textNode("v")));
        assertRejected(store, "userId", () -> store.getUserMemory(null, "context", "k"));
        assertRejected(store, "userId", () -> store.getUserMemory(null, "context"));
        assertRejected(store, "userId", () -> store.deleteUserMemory(null, "context", "k"));
        assertRejected(store, "userId", () -> store.deleteUserMemory(null, "context"));
    }

    /**
     * A message batch must be non-null, non-empty, without {@code null} elements and within the batch limit.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void addMessagesBatchShapeIsChecked(DataAccess store) {
        seed(store);
        List<NewMessage> withNull = new ArrayList<>();
        withNull.add(NewMessage.user("a"));
        withNull.add(null);
        List<NewMessage> tooMany = new ArrayList<>();
        for (int i = 0; i <= 10_000; i++) {
            tooMany.add(NewMessage.user("m"));
        }
        assertRejected(store, "messages", () -> store.addMessages("seed-chat", null));
        assertRejected(store, "messages", () -> store.addMessages("seed-chat", List.of()));
        assertRejected(store, "messages[1]", () -> store.addMessages("seed-chat", withNull));
        assertRejected(store, "messages", () -> store.addMessages("seed-chat", tooMany));
    }

    /**
     * {@code null} transaction work is rejected.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void nullTransactionWorkIsRejected(DataAccess store) {
        seed(store);
        assertRejected(store, "work", () -> store.inTransaction(null));
    }

    // ---- bulk records are validated like any other input ----

    /**
     * A bulk scan's batch size must be from 1 to the maximum batch size.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void bulkScanBatchSizeIsChecked(DataAccess store) {
        seed(store);
        assertRejected(store, "batchSize", () -> store.bulk().scanUsers(null, 0));
        assertRejected(store, "batchSize", () -> store.bulk().scanSessions(null, BulkAccess.MAX_BATCH_SIZE + 1));
        assertRejected(store, "batchSize", () -> store.bulk().scanMessages(null, -1));
        assertRejected(store, "batchSize", () -> store.bulk().scanMemory(null, 0));
    }

    /**
     * A bulk upsert of a {@code null} list is rejected.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void bulkUpsertOfNullListsIsRejected(DataAccess store) {
        seed(store);
        assertRejected(store, "users", () -> store.bulk().upsertUsers(null));
        assertRejected(store, "sessions", () -> store.bulk().upsertSessions(null));
        assertRejected(store, "messages", () -> store.bulk().upsertMessages(null));
        assertRejected(store, "memory", () -> store.bulk().upsertMemory(null));
    }

    /**
     * A bulk upsert of a record that breaks a rule is rejected, naming the field.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void bulkUpsertOfInvalidRecordsIsRejected(DataAccess store) {
        Fixtures.Seed seed = seed(store);
        Instant t = Instant.parse("2024-01-01T00:00:00Z");
        User badUser = new User(Ids.newId(), null, null, NUL, null, null, UserStatus.ACTIVE, t, t, null);
        var session = seed.session();
        var badSession =
                new ChatSession(Ids.newId(), chars(256), null, null, null, null, SessionStatus.ACTIVE, t, t, null, 0);
        var negativeCount =
                new ChatSession(Ids.newId(), "neg", null, null, null, null, SessionStatus.ACTIVE, t, t, null, -1);
        Message zeroSeq = new Message(Ids.newId(), session.id(), 0, Role.USER, "x", null, null, false, t);
        Message nulContent = new Message(Ids.newId(), session.id(), 9, Role.USER, NUL, null, null, false, t);
        var badMemory = new MemoryEntry(seed.user().id(), "context", "", F.textNode("v"), t, t, null);
        ObjectNode nan = object("{}");
        nan.put("n", Double.NaN);
        var nanMemory = new MemoryEntry(seed.user().id(), "context", "k", nan, t, t, null);

        assertRejected(store, "user.name", () -> store.bulk().upsertUsers(List.of(badUser)));
        assertRejected(store, "session.chatId", () -> store.bulk().upsertSessions(List.of(badSession)));
        assertRejected(store, "session.messageCount", () -> store.bulk().upsertSessions(List.of(negativeCount)));
        assertRejected(store, "message.sequenceNumber", () -> store.bulk().upsertMessages(List.of(zeroSeq)));
        assertRejected(store, "message.content", () -> store.bulk().upsertMessages(List.of(nulContent)));
        assertRejected(store, "key", () -> store.bulk().upsertMemory(List.of(badMemory)));
        assertRejected(store, "memory.value", () -> store.bulk().upsertMemory(List.of(nanMemory)));
    }

    /**
     * A bulk batch with one invalid record is rejected and writes none of the batch.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void aBulkBatchWithOneInvalidRecordWritesNothing(DataAccess store) {
        seed(store);
        Instant t = Instant.parse("2024-01-01T00:00:00Z");
        List<User> batch = List.of(
                new User(Ids.newId(), "ok-1", null, null, null, null, UserStatus.ACTIVE, t, t, null),
                new User(Ids.newId(), "ok-2", null, null, null, null, UserStatus.ACTIVE, t, t, null),
                new User(Ids.newId(), chars(256), null, null, null, null, UserStatus.ACTIVE, t, t, null));

        assertRejected(store, "user.externalId", () -> store.bulk().upsertUsers(batch));
    }
}

package dev.dal.neo4j.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.ChatSession;
import dev.dal.api.JsonValues;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.MessageVote;
import dev.dal.api.Role;
import dev.dal.api.SessionStatus;
import dev.dal.api.TokenUsage;
import dev.dal.api.User;
import dev.dal.api.UserStatus;
import dev.dal.api.Vote;
import dev.dal.api.spi.SearchWords;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.neo4j.driver.Record;
import org.neo4j.driver.Value;
import org.neo4j.driver.types.MapAccessor;

/**
 * The graph model's property names and the mapping between Dal's records and node properties.
 * Names are snake_case throughout (the naming legacy graphs are normalized to). Times are Neo4j {@code DATETIME} values
 * in UTC with millisecond precision; JSON values are stored as JSON text (a property cannot hold a
 * map); ids are the UUIDs' canonical strings, so string order is id order. A {@code null} field
 * is an absent property. Users, sessions and memory entries carry their {@code version}; a deleted one
 * leaves a tombstone node ({@link #USER_TOMBSTONE}, {@link #SESSION_TOMBSTONE}, {@link #MEMORY_TOMBSTONE})
 * holding its key and the deleted version plus one.
 */
final class Neo4jRecords {
    private Neo4jRecords() {}

    /** Label of a deleted user's tombstone: {@code id}, {@code version}. */
    static final String USER_TOMBSTONE = "UserTombstone";
    /** Label of a deleted session's tombstone: {@code chat_id}, {@code session_id}, {@code version}. */
    static final String SESSION_TOMBSTONE = "ChatSessionTombstone";
    /** Label of a deleted memory entry's tombstone: {@code user_id}, {@code memory_type}, {@code key}, {@code version}. */
    static final String MEMORY_TOMBSTONE = "MemoryTombstone";

    /**
     * Relationship type of a vote, {@code (:User)-[:VOTED]->(:Message)}, one per user and message: {@code vote}
     * (the {@link dev.dal.api.Vote#wireName()}), {@code voted_at}, and {@code user_id}, {@code message_id}
     * repeating its ends' ids for the uniqueness constraint of schema change 006. It goes with either end, as
     * every deletion of a user or message is a {@code DETACH DELETE}.
     */
    static final String VOTED = "VOTED";

    /**
     * Label of a token usage record (schema change 007), a node of its own, tied to nothing by a relationship:
     * {@code id}, {@code message_id}, {@code session_id}, {@code sequence_number}, {@code user_id} (the billed
     * user), {@code model}, {@code model_order} ({@link #modelOrder}), {@code prompt_tokens},
     * {@code completion_tokens}, {@code cost_micros} and {@code currency} (both or neither), {@code created_at}. A {@code DETACH DELETE} of its message, session or
     * user does not reach it, so every deletion of a session (its messages) or a user deletes the records naming
     * them by their indexed {@code session_id} and {@code user_id}.
     */
    static final String TOKEN_USAGE = "TokenUsage";

    // ---- records to properties ----

    static Map<String, Object> userProps(User u) {
        Map<String, Object> p = new HashMap<>();
        p.put("id", u.id().toString());
        p.put("external_id", u.externalId());
        p.put("email", u.email());
        p.put("name", u.name());
        p.put("profile", JsonValues.write(u.profile()));
        p.put("preferences", JsonValues.write(u.preferences()));
        p.put("status", u.status().wireName());
        p.put("created_at", time(u.createdAt()));
        p.put("updated_at", time(u.updatedAt()));
        p.put("last_active_at", time(u.lastActiveAt()));
        p.put("version", u.version());
        return p;
    }

    /** Session properties; the owner is the {@code HAS_CHAT_SESSION} relationship, not a property. */
    static Map<String, Object> sessionProps(ChatSession s) {
        Map<String, Object> p = new HashMap<>();
        p.put("id", s.id().toString());
        p.put("chat_id", s.chatId());
        p.put("title", s.title());
        p.put("profile", s.profile());
        p.put("metadata", JsonValues.write(s.metadata()));
        p.put("status", s.status().wireName());
        p.put("created_at", time(s.createdAt()));
        p.put("updated_at", time(s.updatedAt()));
        p.put("last_message_at", time(s.lastMessageAt()));
        p.put("message_count", s.messageCount());
        p.put("version", s.version());
        return p;
    }

    /**
     * Derived property of every message node, not a {@link Message} field: the words of its content by the kit's
     * word rule ({@link #searchWords}), which the full-text index {@link Neo4jMigrations#MESSAGE_SEARCH_INDEX}
     * holds. Written with the content on every path that creates or replaces a message; never read back into a
     * record.
     */
    static final String SEARCH_WORDS = "search_words";

    /**
     * Message properties; {@code session_id} repeats the parent's id for the (session, sequence) constraint, and
     * {@link #SEARCH_WORDS} is derived from the content.
     */
    static Map<String, Object> messageProps(Message m) {
        Map<String, Object> p = new HashMap<>();
        p.put("id", m.id().toString());
        p.put("session_id", m.sessionId().toString());
        p.put("sequence_number", m.sequenceNumber());
        p.put("role", m.role().wireName());
        p.put("content", m.content());
        p.put(SEARCH_WORDS, searchWords(m.content()));
        p.put("metadata", JsonValues.write(m.metadata()));
        p.put("token_count", m.tokenCount() == null ? null : m.tokenCount().longValue());
        p.put("abuse_flagged", m.abuseFlagged());
        p.put("created_at", time(m.createdAt()));
        return p;
    }

    /** Memory properties; {@code user_id} repeats the owner's id for the (user, type, key) constraint. */
    static Map<String, Object> memoryProps(MemoryEntry e) {
        Map<String, Object> p = new HashMap<>();
        p.put("user_id", e.userId().toString());
        p.put("memory_type", e.memoryType());
        p.put("key", e.key());
        p.put("value", JsonValues.write(e.value()));
        p.put("created_at", time(e.createdAt()));
        p.put("updated_at", time(e.updatedAt()));
        p.put("expires_at", time(e.expiresAt()));
        p.put("version", e.version());
        return p;
    }

    /**
     * The value of {@link #SEARCH_WORDS}: every word of the text by the kit's rule ({@link
     * dev.dal.api.spi.SearchWords}: a maximal run of Unicode letters, digits and combining marks, lower-cased with
     * {@link Locale#ROOT}), each occurrence in order (so the index's term frequencies rank a message holding a word
     * more often higher), joined by single spaces. Its distinct words are {@code SearchWords.of(text)}; schema
     * change 005 computes the same string in Cypher for messages written before it.
     *
     * @param text a message's content, may be {@code null}
     * @return the words, space-separated; empty when there are none
     */
    static String searchWords(String text) {
        return String.join(" ", SearchWords.every(text));
    }

    /** Property of a {@link #TOKEN_USAGE} node holding {@link #modelOrder} of its {@code model}. */
    static final String MODEL_ORDER = "model_order";

    /**
     * A model name re-encoded so that comparing encodings orders them as the names' code points, whichever way the
     * server compares them. Neo4j compares two strings read from the store by their UTF-8 bytes (code point order)
     * but any other pair, a parameter or a value written in the running transaction among them, by
     * {@link String#compareTo} (UTF-16 units), so {@code t.model > $afterKey} and {@code ORDER BY t.model} put an
     * emoji before U+FFFD or after it depending on where the values come from. The encoding keeps a character
     * below U+D800 as it is, follows one from U+E000 to U+FFFF with a space, and writes U+FFFF before a
     * supplementary character's surrogate pair: at the first character two names differ, both comparisons then
     * meet characters whose two orders agree (two low ones, a low one against a high unit, U+FFFF followed by a
     * space against U+FFFF followed by a surrogate pair, or two pairs), and the encoding of a prefix is a prefix.
     *
     * @param model a model name
     * @return its order encoding
     */
    static String modelOrder(String model) {
        StringBuilder order = new StringBuilder(model.length() + 8);
        model.codePoints().forEach(cp -> {
            if (cp < 0xD800) {
                order.append((char) cp);
            } else if (cp <= 0xFFFF) {
                order.append((char) cp).append(' ');
            } else {
                order.append('\uFFFF').appendCodePoint(cp);
            }
        });
        return order.toString();
    }

    /** @return the driver value of an instant: a UTC {@code DATETIME}, or {@code null} */
    static ZonedDateTime time(Instant instant) {
        return instant == null ? null : instant.atZone(ZoneOffset.UTC);
    }

    /**
     * The parameters of a statement.
     *
     * @param pairs names and values, alternating; a value may be {@code null}
     * @return a mutable map of the pairs
     */
    static Map<String, Object> params(Object... pairs) {
        Map<String, Object> map = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], pairs[i + 1]);
        }
        return map;
    }

    // ---- properties to records ----

    static User user(MapAccessor n) {
        return new User(
                uuid(n.get("id")),
                text(n.get("external_id")),
                text(n.get("email")),
                text(n.get("name")),
                object(n.get("profile"), "user.profile"),
                object(n.get("preferences"), "user.preferences"),
                UserStatus.fromWireName(n.get("status").asString("active")),
                instant(n.get("created_at")),
                updatedAt(n),
                instant(n.get("last_active_at")),
                version(n));
    }

    static ChatSession session(MapAccessor n, Value userId) {
        return new ChatSession(
                uuid(n.get("id")),
                n.get("chat_id").asString(),
                userId.isNull() ? null : uuid(userId),
                text(n.get("title")),
                text(n.get("profile")),
                object(n.get("metadata"), "session.metadata"),
                SessionStatus.fromWireName(n.get("status").asString("active")),
                instant(n.get("created_at")),
                updatedAt(n),
                instant(n.get("last_message_at")),
                n.get("message_count").asLong(0),
                version(n));
    }

    /** @return the session a statement returned as {@code s}, owned by the user it returned as {@code user_id} */
    static ChatSession session(Record r) {
        return session(r.get("s").asNode(), r.get("user_id"));
    }

    static Message message(MapAccessor n) {
        Value tokens = n.get("token_count");
        return new Message(
                uuid(n.get("id")),
                uuid(n.get("session_id")),
                n.get("sequence_number").asLong(),
                Role.fromWireName(n.get("role").asString()),
                n.get("content").asString(""),
                object(n.get("metadata"), "message.metadata"),
                tokens.isNull() ? null : tokens.asInt(),
                n.get("abuse_flagged").asBoolean(false),
                instant(n.get("created_at")));
    }

    static MemoryEntry memory(MapAccessor n) {
        Value value = n.get("value");
        JsonNode json = value.isNull() ? null : JsonValues.parse(value.asString());
        return new MemoryEntry(
                uuid(n.get("user_id")),
                n.get("memory_type").asString(),
                n.get("key").asString(),
                json,
                instant(n.get("created_at")),
                instant(n.get("updated_at")),
                instant(n.get("expires_at")),
                version(n));
    }

    /**
     * @param r a row holding {@code message_id}, {@code session_id}, {@code sequence_number}, {@code user_id},
     *     {@code vote} and {@code voted_at}
     * @return the vote it describes
     */
    static MessageVote vote(Record r) {
        return new MessageVote(
                uuid(r.get("message_id")),
                uuid(r.get("session_id")),
                r.get("sequence_number").asLong(),
                uuid(r.get("user_id")),
                Vote.fromWireName(r.get("vote").asString()),
                instant(r.get("voted_at")));
    }

    /**
     * @param u a token usage record
     * @return its node's properties ({@link #TOKEN_USAGE}); a record without cost has neither cost property
     */
    static Map<String, Object> tokenUsageProps(TokenUsage u) {
        Map<String, Object> p = new HashMap<>();
        p.put("id", u.id().toString());
        p.put("message_id", u.messageId().toString());
        p.put("session_id", u.sessionId().toString());
        p.put("sequence_number", u.sequenceNumber());
        p.put("user_id", u.userId().toString());
        p.put("model", u.model());
        p.put(MODEL_ORDER, modelOrder(u.model()));
        p.put("prompt_tokens", u.promptTokens());
        p.put("completion_tokens", u.completionTokens());
        p.put("cost_micros", u.costMicros());
        p.put("currency", u.currency());
        p.put("created_at", time(u.createdAt()));
        return p;
    }

    /**
     * @param n a {@link #TOKEN_USAGE} node
     * @return the record it holds
     */
    static TokenUsage tokenUsage(MapAccessor n) {
        Value cost = n.get("cost_micros");
        return new TokenUsage(
                uuid(n.get("id")),
                uuid(n.get("message_id")),
                uuid(n.get("session_id")),
                n.get("sequence_number").asLong(),
                uuid(n.get("user_id")),
                n.get("model").asString(),
                n.get("prompt_tokens").asLong(),
                n.get("completion_tokens").asLong(),
                cost.isNull() ? null : cost.asLong(),
                text(n.get("currency")),
                instant(n.get("created_at")));
    }

    /** A node written before versions (schema change 004 gives every node one) is at version 1. */
    static long version(MapAccessor n) {
        return n.get("version").asLong(1);
    }

    /** Legacy nodes may carry no {@code updated_at}: they have not changed since they were created. */
    private static Instant updatedAt(MapAccessor n) {
        Value updated = n.get("updated_at");
        return updated.isNull() ? instant(n.get("created_at")) : instant(updated);
    }

    static Instant instant(Value v) {
        return v.isNull() ? null : v.asZonedDateTime().toInstant();
    }

    private static String text(Value v) {
        return v.isNull() ? null : v.asString();
    }

    private static UUID uuid(Value v) {
        return UUID.fromString(v.asString());
    }

    private static ObjectNode object(Value v, String field) {
        return v.isNull()
                ? JsonValues.emptyObject()
                : JsonValues.canonicalObject(JsonValues.parse(v.asString()), field);
    }
}

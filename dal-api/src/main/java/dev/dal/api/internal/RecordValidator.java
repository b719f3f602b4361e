package dev.dal.api.internal;

import dev.dal.api.ChatSession;
import dev.dal.api.ChatSessionUpdate;
import dev.dal.api.HistoryQuery;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.MessageVote;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewTokenUsage;
import dev.dal.api.NewUser;
import dev.dal.api.SearchQuery;
import dev.dal.api.SessionFilter;
import dev.dal.api.TokenUsage;
import dev.dal.api.TokenUsageQuery;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import dev.dal.api.ValidationException;
import dev.dal.api.bulk.VoteKey;
import dev.dal.api.spi.RecordTrees;
import dev.dal.api.spi.SearchCursors;
import dev.dal.api.spi.SearchWords;
import java.util.UUID;
import java.util.regex.Pattern;

/** Applies {@link Validator}'s rules to whole requests and records, field by field. */
public final class RecordValidator {
    private static final Pattern CURRENCY_CODE = Pattern.compile("[A-Z]{3}");

    private final Validator v;

    /** @param validator the shared rules */
    public RecordValidator(Validator validator) {
        this.v = validator;
    }

    /** @param user a create request */
    public void newUser(NewUser user) {
        v.required("user", user);
        externalId("user.externalId", user.externalId());
        userText(user.email(), user.name());
        v.jsonObject("user.profile", user.profile());
        v.jsonObject("user.preferences", user.preferences());
    }

    /** @param update an update request */
    public void userUpdate(UserUpdate update) {
        v.required("update", update);
        update.externalId().value().ifPresent(x -> externalId("update.externalId", x));
        update.email().value().ifPresent(x -> v.optionalText("update.email", x, Validator.MAX_TEXT_LENGTH));
        update.name().value().ifPresent(x -> v.optionalText("update.name", x, Validator.MAX_TEXT_LENGTH));
        update.profile().value().ifPresent(x -> v.jsonObject("update.profile", x));
        update.preferences().value().ifPresent(x -> v.jsonObject("update.preferences", x));
        if (update.status().isSet() && update.status().value().isEmpty()) {
            throw new ValidationException("update.status", "must not be null");
        }
        expectedVersion(update.expectedVersion());
    }

    /** @param user an exact record for bulk upsert */
    public void user(User user) {
        v.required("user", user);
        externalId("user.externalId", user.externalId());
        userText(user.email(), user.name());
        v.json("user.profile", user.profile());
        v.json("user.preferences", user.preferences());
    }

    /** An external id is optional, but when given it is a key: a blank one could never be looked up. */
    private void externalId(String field, String value) {
        if (value != null) {
            v.key(field, value);
        }
    }

    private void userText(String email, String name) {
        v.optionalText("user.email", email, Validator.MAX_TEXT_LENGTH);
        v.optionalText("user.name", name, Validator.MAX_TEXT_LENGTH);
    }

    /** @param session a create request */
    public void newSession(NewChatSession session) {
        v.required("session", session);
        v.key("session.chatId", session.chatId());
        sessionText(session.title(), session.profile());
        v.jsonObject("session.metadata", session.metadata());
    }

    /** @param update an update request */
    public void sessionUpdate(ChatSessionUpdate update) {
        v.required("update", update);
        update.title().value().ifPresent(x -> v.optionalText("update.title", x, Validator.MAX_TEXT_LENGTH));
        update.profile().value().ifPresent(x -> v.key("update.profile", x, Validator.MAX_PROFILE_LENGTH));
        update.metadata().value().ifPresent(x -> v.jsonObject("update.metadata", x));
        if (update.status().isSet() && update.status().value().isEmpty()) {
            throw new ValidationException("update.status", "must not be null");
        }
        expectedVersion(update.expectedVersion());
    }

    /** @param query a full-text search */
    public void searchQuery(SearchQuery query) {
        v.required("query", query);
        v.required("query.text", query.text());
        if (query.text().length() > SearchQuery.MAX_TEXT_LENGTH) {
            throw new ValidationException(
                    "query.text", "must be at most " + SearchQuery.MAX_TEXT_LENGTH + " characters");
        }
        if (SearchWords.of(query.text()).isEmpty()) {
            throw new ValidationException("query.text", "must hold at least one word (letters or digits)");
        }
        if (query.userId() == null && query.chatId() == null) {
            throw new ValidationException("query.userId", "one of userId or chatId is required");
        }
        if (query.userId() != null && query.chatId() != null) {
            throw new ValidationException("query.chatId", "must be null when userId is given");
        }
        if (query.chatId() != null) {
            v.key("query.chatId", query.chatId());
        }
        v.limit("query.limit", query.limit());
        if (query.cursor() != null) {
            SearchCursors.decode(query.cursor());
        }
    }

    /**
     * @param chatId the voted message's session
     * @param sequenceNumber the voted message's place
     * @param userId who votes
     */
    public void votedMessage(String chatId, long sequenceNumber, UUID userId) {
        v.key("chatId", chatId);
        if (sequenceNumber < 1) {
            throw new ValidationException("sequenceNumber", "must be 1 or more");
        }
        v.required("userId", userId);
    }

    /**
     * @param fromSequence a range's first sequence number
     * @param toSequence its last, inclusive
     */
    public void sequenceRange(long fromSequence, long toSequence) {
        if (fromSequence < 1) {
            throw new ValidationException("fromSequence", "must be 1 or more");
        }
        if (toSequence < fromSequence) {
            throw new ValidationException("toSequence", "must not be less than fromSequence");
        }
        if (toSequence - fromSequence >= HistoryQuery.MAX_LIMIT) {
            throw new ValidationException("toSequence", "must be less than fromSequence + " + HistoryQuery.MAX_LIMIT);
        }
    }

    /** @param usage token usage to record */
    public void newTokenUsage(NewTokenUsage usage) {
        v.required("usage", usage);
        votedMessage(usage.chatId(), usage.sequenceNumber(), usage.userId());
        usageFigures(
                "",
                usage.model(),
                usage.promptTokens(),
                usage.completionTokens(),
                usage.costMicros(),
                usage.currency());
    }

    /** The model, token and cost rules of a usage record, its fields named with a prefix. */
    private void usageFigures(
            String prefix, String model, long promptTokens, long completionTokens, Long costMicros, String currency) {
        v.key(prefix + "model", model, NewTokenUsage.MAX_MODEL_LENGTH);
        notNegative(prefix + "promptTokens", promptTokens);
        notNegative(prefix + "completionTokens", completionTokens);
        if (costMicros == null) {
            if (currency != null) {
                throw new ValidationException(prefix + "currency", "must be absent when costMicros is");
            }
            return;
        }
        notNegative(prefix + "costMicros", costMicros);
        if (currency == null) {
            throw new ValidationException(prefix + "currency", "is required when costMicros is given");
        }
        if (!CURRENCY_CODE.matcher(currency).matches()) {
            throw new ValidationException(prefix + "currency", "must be an ISO 4217 code of three upper-case letters");
        }
    }

    /** @param query a token usage totals query */
    public void tokenUsageQuery(TokenUsageQuery query) {
        v.required("query", query);
        v.required("groupBy", query.groupBy());
        v.required("from", query.from());
        v.required("to", query.to());
        if (!query.to().isAfter(query.from())) {
            throw new ValidationException("to", "must be after from");
        }
        if (query.chatId() != null) {
            v.key("chatId", query.chatId());
        }
        if (query.limit() < 1 || query.limit() > HistoryQuery.MAX_LIMIT) {
            throw new ValidationException("limit", "must be between 1 and " + HistoryQuery.MAX_LIMIT);
        }
        if (query.afterKey() != null) {
            v.key("afterKey", query.afterKey());
        }
    }

    private static void notNegative(String field, long value) {
        if (value < 0) {
            throw new ValidationException(field, "must not be negative");
        }
    }

    /** @param filter a session listing's filter */
    public void sessionFilter(SessionFilter filter) {
        v.required("filter", filter);
        if (filter.profile() != null) {
            v.key("filter.profile", filter.profile(), Validator.MAX_PROFILE_LENGTH);
        }
    }

    /** @param session an exact record for bulk upsert */
    public void session(ChatSession session) {
        v.required("session", session);
        v.key("session.chatId", session.chatId());
        sessionText(session.title(), session.profile());
        v.json("session.metadata", session.metadata());
        v.notNegative("session.messageCount", session.messageCount());
    }

    private void sessionText(String title, String profile) {
        v.optionalText("session.title", title, Validator.MAX_TEXT_LENGTH);
        if (profile != null) {
            v.key("session.profile", profile, Validator.MAX_PROFILE_LENGTH);
        }
    }

    /**
     * @param field the field name to report
     * @param message a create request
     */
    public void newMessage(String field, NewMessage message) {
        newMessage(field, -1, message);
    }

    /**
     * Checks one message of a list; the name {@code list[index]} is built only when the message fails, since
     * {@code addMessages} checks many messages on a hot path.
     *
     * @param list the list's field name
     * @param index the message's place in it, or -1 when {@code list} names the message itself
     * @param message a create request
     */
    public void newMessage(String list, int index, NewMessage message) {
        try {
            v.required("", message);
            v.required(".role", message.role());
            v.content(".content", message.content());
            v.jsonObject(".metadata", message.metadata());
            if (message.tokenCount() != null) {
                v.notNegative(".tokenCount", message.tokenCount());
            }
        } catch (ValidationException e) {
            throw new ValidationException((index < 0 ? list : list + "[" + index + "]") + e.field(), e.rule());
        }
    }

    /** @param message an exact record for bulk upsert */
    public void message(Message message) {
        v.required("message", message);
        v.content("message.content", message.content());
        v.json("message.metadata", RecordTrees.metadata(message));
        if (message.sequenceNumber() < 1) {
            throw new ValidationException("message.sequenceNumber", "must be 1 or more");
        }
        if (message.tokenCount() != null) {
            v.notNegative("message.tokenCount", message.tokenCount());
        }
    }

    /**
     * @param memoryType the grouping
     * @param key the name, or {@code null} when the call addresses the whole type
     */
    public void memoryAddress(String memoryType, String key) {
        v.key("memoryType", memoryType, Validator.MAX_MEMORY_TYPE_LENGTH);
        if (key != null) {
            v.key("key", key);
        }
    }

    /** @param vote an exact vote for bulk upsert or deletion */
    public void vote(MessageVote vote) {
        v.required("vote", vote);
        if (vote.sequenceNumber() < 1) {
            throw new ValidationException("vote.sequenceNumber", "must be 1 or more");
        }
    }

    /** @param usage an exact token usage record */
    public void tokenUsage(TokenUsage usage) {
        v.required("usage", usage);
        if (usage.sequenceNumber() < 1) {
            throw new ValidationException("usage.sequenceNumber", "must be 1 or more");
        }
        usageFigures(
                "usage.",
                usage.model(),
                usage.promptTokens(),
                usage.completionTokens(),
                usage.costMicros(),
                usage.currency());
    }

    /**
     * @param field the field to report
     * @param value a value that must be present
     */
    public void required(String field, Object value) {
        v.required(field, value);
    }

    /** @param key a vote to delete */
    public void voteKey(VoteKey key) {
        v.required("key", key);
        if (key.sequenceNumber() < 1) {
            throw new ValidationException("key.sequenceNumber", "must be 1 or more");
        }
    }

    /** @param entry an exact memory entry */
    public void memory(MemoryEntry entry) {
        v.required("memory", entry);
        memoryAddress(entry.memoryType(), entry.key());
        v.json("memory.value", entry.value());
    }

    /** @param key a key to look a tombstone up by */
    public void recordKey(dev.dal.api.bulk.RecordKey key) {
        v.required("key", key);
        switch (key.kind()) {
            case SESSION -> v.key("key.chatId", key.chatId());
            case MEMORY -> memoryAddress(key.memoryType(), key.key());
            case USER -> {
                // a UUID needs no more checking
            }
        }
    }

    /** @param tombstone a replicated deletion */
    public void tombstone(dev.dal.api.bulk.Tombstone tombstone) {
        v.required("tombstone", tombstone);
        recordKey(tombstone.key());
    }

    private static void expectedVersion(Long version) {
        if (version != null && version < 1) {
            throw new ValidationException("update.expectedVersion", "must be 1 or more (was " + version + ")");
        }
    }
}

package dev.dal.migration.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.Role;
import dev.dal.migration.ImportReport;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a legacy input holds, read and checked in full before anything is written: users by
 * external id, conversations by chat id with their messages in order, memory entries, and what was
 * skipped or left unused. {@link PlanWriter} writes it.
 */
public final class ImportPlan {
    /** Users by external id, in input order. */
    public final Map<String, User> users = new LinkedHashMap<>();
    /** Conversations by chat id, in input order. */
    public final Map<String, Session> sessions = new LinkedHashMap<>();
    /** Messages of conversations the input does not hold (they may already be in the store), by chat id. */
    public final Map<String, List<Message>> orphans = new LinkedHashMap<>();
    /** Memory entries, in input order. */
    public final List<Memory> memory = new ArrayList<>();
    /** Documents not imported. */
    public final List<ImportReport.Skip> skipped = new ArrayList<>();
    /** Parts of the input not read. */
    public final List<ImportReport.Unused> unused = new ArrayList<>();
    /** Warnings about the input. */
    public final List<ImportReport.Warning> warnings = new ArrayList<>();
    /** User documents that named a user already in {@link #users}. */
    public long usersMergedInInput;

    /**
     * A user as found in the input.
     *
     * @param externalId the user's key
     * @param name may be {@code null} (the external id is used)
     * @param email may be {@code null}
     * @param createdAt may be {@code null}
     * @param updatedAt may be {@code null}
     * @param lastActiveAt may be {@code null}
     * @param profile never {@code null}
     * @param preferences never {@code null}
     */
    public record User(
            String externalId,
            String name,
            String email,
            Instant createdAt,
            Instant updatedAt,
            Instant lastActiveAt,
            ObjectNode profile,
            ObjectNode preferences) {}

    /**
     * A conversation as found in the input.
     *
     * @param chatId its key
     * @param owner the owner's external id, or {@code null}
     * @param title may be {@code null}
     * @param profile the assistant profile, or {@code null} for the default
     * @param createdAt may be {@code null} (the first message's time, else the import's)
     * @param updatedAt may be {@code null}
     * @param metadata never {@code null}
     * @param messages in order
     */
    public record Session(
            String chatId,
            String owner,
            String title,
            String profile,
            Instant createdAt,
            Instant updatedAt,
            ObjectNode metadata,
            List<Message> messages) {}

    /**
     * A message as found in the input, before its sequence number is known.
     *
     * @param source where it is, for the report
     * @param document its document name, for the report
     * @param role its role
     * @param content its text
     * @param at its time, or {@code null} (its session's creation time)
     * @param metadata never {@code null}
     * @param tokenCount may be {@code null}
     * @param abuseFlagged whether moderation flagged it
     */
    public record Message(
            String source,
            String document,
            Role role,
            String content,
            Instant at,
            ObjectNode metadata,
            Integer tokenCount,
            boolean abuseFlagged) {}

    /**
     * A memory entry as found in the input.
     *
     * @param owner the user's external id
     * @param type the memory type
     * @param key the key within the type
     * @param value any JSON value
     * @param createdAt never {@code null}
     * @param updatedAt never {@code null}
     */
    public record Memory(String owner, String type, String key, JsonNode value, Instant createdAt, Instant updatedAt) {}

    /**
     * @param source a table or file
     * @param document a document
     * @param reason why it is not imported
     */
    public void skip(String source, String document, String reason) {
        skipped.add(new ImportReport.Skip(source, document, reason));
    }
}

package dev.dal.migration;

import java.util.List;

/**
 * What a TinyDB import did.
 *
 * @param usersImported users created
 * @param usersMerged user documents that became an existing user (another spelling of a name in
 *     the file, or a user already in the store)
 * @param sessionsImported conversations created
 * @param sessionsMerged conversations already in the store (their new messages are still added)
 * @param messagesImported messages created
 * @param messagesDeduplicated messages not written because the same (conversation, role, content,
 *     timestamp) was in the file before or already in the store
 * @param skipped documents not imported, each with its reason
 */
public record TinyDbReport(long usersImported, long usersMerged, long sessionsImported, long sessionsMerged,
        long messagesImported, long messagesDeduplicated, List<Skip> skipped) {

    /** Copies the list. */
    public TinyDbReport {
        skipped = List.copyOf(skipped);
    }

    /**
     * A document that was not imported.
     *
     * @param table the file's table
     * @param documentId the document's id (with a list index for embedded messages)
     * @param reason why
     */
    public record Skip(String table, String documentId, String reason) {
    }
}

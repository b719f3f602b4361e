package dev.dal.migration;

import java.util.List;

/**
 * What a legacy import ({@link TinyDbImporter}, {@link JsonDirImporter}) did, and what it left behind.
 *
 * @param usersImported users created (from the input's users, or from the owners its conversations name)
 * @param usersMerged user documents that became an existing user (another spelling of a name in
 *     the input, or a user already in the store)
 * @param sessionsImported conversations created
 * @param sessionsMerged conversations already in the store (their new messages are still added)
 * @param messagesImported messages created
 * @param messagesDeduplicated messages not written because the same (conversation, role, content,
 *     timestamp) came earlier in the input or is already in the store
 * @param memoryImported memory entries created
 * @param memoryKept memory entries not written because the user already has that (type, key) in the store
 * @param skipped documents not imported, each with its reason
 * @param unused tables, directories and files of the input the import did not read, with their document counts
 * @param warnings things about the input its owner should fix, e.g. world-readable files
 */
public record ImportReport(
        long usersImported,
        long usersMerged,
        long sessionsImported,
        long sessionsMerged,
        long messagesImported,
        long messagesDeduplicated,
        long memoryImported,
        long memoryKept,
        List<Skip> skipped,
        List<Unused> unused,
        List<Warning> warnings) {

    /**
     * Copies the lists.
     *
     * @param usersImported users created (from the input's users, or from the owners its conversations name)
     * @param usersMerged user documents that became an existing user (another spelling of a name in
     *     the input, or a user already in the store)
     * @param sessionsImported conversations created
     * @param sessionsMerged conversations already in the store (their new messages are still added)
     * @param messagesImported messages created
     * @param messagesDeduplicated messages not written because the same (conversation, role, content,
     *     timestamp) came earlier in the input or is already in the store
     * @param memoryImported memory entries created
     * @param memoryKept memory entries not written because the user already has that (type, key) in the store
     * @param skipped documents not imported, each with its reason
     * @param unused tables, directories and files of the input the import did not read, with their document counts
     * @param warnings things about the input its owner should fix, e.g. world-readable files
     */
    public ImportReport {
        skipped = List.copyOf(skipped);
        unused = List.copyOf(unused);
        warnings = List.copyOf(warnings);
    }

    /**
     * @return whether no document of the input was used: nothing imported, merged or deduplicated
     */
    public boolean usedNothing() {
        return usersImported
                        + usersMerged
                        + sessionsImported
                        + sessionsMerged
                        + messagesImported
                        + messagesDeduplicated
                        + memoryImported
                        + memoryKept
                == 0;
    }

    /**
     * @return whether the input held documents but none was used — every one skipped or left in an
     *     unused table, directory or file (the command exits 1 then)
     */
    public boolean leftEverythingBehind() {
        return usedNothing() && (!skipped.isEmpty() || unused.stream().anyMatch(u -> u.documents() > 0));
    }

    /**
     * A document that was not imported.
     *
     * @param source the table, or the file's path relative to the input directory
     * @param document the document's id (with a list index for embedded messages)
     * @param reason why
     */
    public record Skip(String source, String document, String reason) {}

    /**
     * Part of the input the import did not read.
     *
     * @param kind {@code table}, {@code directory} or {@code file}
     * @param name the table's name, or the path relative to the input directory
     * @param documents the table's documents, the directory's files, or 1 for a file
     */
    public record Unused(String kind, String name, long documents) {}

    /**
     * Something about the input its owner should fix; the import went on.
     *
     * @param path the file or directory
     * @param problem what is wrong, e.g. {@code world-readable (rwxrwxrwx)}
     */
    public record Warning(String path, String problem) {}
}

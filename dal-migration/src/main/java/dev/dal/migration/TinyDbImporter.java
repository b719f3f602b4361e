package dev.dal.migration;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.ValidationException;
import dev.dal.migration.internal.ImportPlan;
import dev.dal.migration.internal.LegacyFiles;
import dev.dal.migration.internal.RecordLimits;
import java.nio.file.Path;
import java.util.Map;

/**
 * Imports a legacy TinyDB chat file (ChatCore's, by default) into any store. TinyDB keeps
 * {@code {"<table>": {"<doc id>": {...}}}}; ChatCore's tables and fields are
 * <ul>
 * <li>{@code users}: {@code username}, {@code email}, {@code name}, {@code role}, {@code created_at},
 * {@code updated_at}, …</li>
 * <li>{@code conversations}: {@code conversation_id}, {@code username}, {@code title},
 * {@code created_at}, {@code updated_at}, and optionally {@code messages}: a list of
 * {@code {"role", "content", "timestamp"}} kept in list order</li>
 * <li>{@code messages}: {@code conversation_id}, {@code role}, {@code content}, {@code timestamp}; or,
 * instead of one message, a list of them in {@code messages}</li>
 * </ul>
 * and a {@link TinyDbMapping} adapts other names — TinyDB's embedded style (one {@code _default}
 * table of chats keyed by document id, messages inside) is
 * {@code {"tables": {"conversations": "_default"}, "fields": {"conversations": {"conversation_id": "$docId"}}}}.
 *
 * <p>Users are keyed by their case-folded username (it becomes the user's {@code externalId}; two
 * spellings of one name are one user); a username a conversation names that no user document has
 * becomes a user too (so a file with no users table still gets its owners). Conversations are keyed
 * by their id (the session's {@code chatId}), timestamps kept; messages keep their order and
 * timestamps and are deduplicated by a hash of (conversation, role, content, timestamp). Fields
 * Dal's model has no place for are kept under {@code legacy} in the user's profile or the record's
 * metadata, except secrets (passwords, hashes, tokens), which are never copied. The whole file is
 * read and checked before anything is written, so a malformed file writes nothing; running the
 * import again adds nothing. The file is only read. The report lists every skipped document, every
 * table the mapping does not read, and the file when anyone on the machine may read it.
 */
public final class TinyDbImporter {
    private final TinyDbMapping mapping;
    private final int batchSize;
    private final RecordLimits limits;

    /**
     * @param mapping the file's layout
     * @param batchSize records per write
     * @param target the target store's configuration: its content and JSON limits (a record over
     *     them is skipped with the reason, so no write fails half-way)
     */
    public TinyDbImporter(TinyDbMapping mapping, int batchSize, DalConfig target) {
        this.mapping = mapping;
        this.batchSize = batchSize;
        this.limits = new RecordLimits(target);
    }

    /**
     * @param mapping the file's layout
     * @param batchSize records per write
     * @param maxContentLength the longest message content the store accepts (longer ones are
     *     skipped); the JSON limits are the defaults
     */
    public TinyDbImporter(TinyDbMapping mapping, int batchSize, int maxContentLength) {
        this.mapping = mapping;
        this.batchSize = batchSize;
        DalConfig defaults = DalConfig.fromMap(Map.of());
        this.limits = new RecordLimits(maxContentLength, defaults.maxJsonDepth(), defaults.maxJsonBytes());
    }

    /**
     * Reads and checks the whole input; writes nothing.
     *
     * @param file the TinyDB JSON file
     * @return the checked input, to write with {@link LegacyImport#writeTo}
     * @throws ValidationException naming the table, document id and field when the file is malformed
     */
    public LegacyImport read(Path file) {
        return new LegacyImport(plan(file), batchSize);
    }

    /**
     * Imports: {@link #read}, then {@link LegacyImport#writeTo}.
     *
     * @param file the TinyDB JSON file
     * @param store where to import
     * @return counts, skips, unused parts of the input and warnings
     * @throws ValidationException naming the table, document id and field when the file is malformed;
     *     nothing is written then
     */
    public ImportReport importFile(Path file, DataAccess store) {
        return read(file).writeTo(store);
    }

    private ImportPlan plan(Path file) {
        ImportPlan plan = new TinyDbReader(mapping, limits)
                .read(LegacyFiles.readJson(file, "tinydb", file.toString()), file.toString());
        LegacyFiles.exposure(file, file.toString()).ifPresent(plan.warnings::add);
        return plan;
    }
}

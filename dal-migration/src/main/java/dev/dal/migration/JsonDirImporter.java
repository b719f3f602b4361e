package dev.dal.migration;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.ValidationException;
import dev.dal.migration.internal.ImportPlan;
import dev.dal.migration.internal.RecordLimits;
import java.nio.file.Path;
import java.util.Map;

/**
 * Imports a directory of legacy JSON files — one file per chat, one per user with their memory —
 * into any store, laid out as a {@link JsonDirMapping} says (by default the layout the legacy PHP chat
 * application's file store used):
 * <pre>
 * data/chat_sessions/c-1.json   {"chat_id": "c-1", "user_id": "u-1", "title": "Trip", "profile": "travel",
 *                                "created_at": "2024-01-02 10:00:00", "metadata": {...},
 *                                "messages": [{"role": "user", "content": "Hi", "timestamp": 1704189601}, ...]}
 * data/memory/u-1.json          {"user_id": "u-1", "email": "a@example.org", "name": "Ann",
 *                                "profile": {...}, "preferences": {...},
 *                                "memory": {"context": {"city": "Lisbon"}, "facts": {...}}}
 * </pre>
 * A session becomes a {@code ChatSession} keyed by its chat id (the file's name when the field is
 * missing), owned by the user its {@code user_id} names (a user file's {@code user_id}, which becomes
 * the user's {@code externalId}; a user named only as an owner is created with just that id); its
 * messages keep their list order and timestamps; {@code memory} becomes memory entries by type and
 * key, timed by the user file's {@code updated_at} (else {@code created_at}, else the file's
 * modification time). Fields Dal has no place for go under {@code legacy} in the session's or
 * message's metadata or the user's profile; secrets (see {@link TinyDbMapping}) are never copied, at
 * any depth.
 *
 * <p>The same guarantees as {@link TinyDbImporter}: every file is read and checked before anything
 * is written (a malformed file is an error naming its path, the document and the field, and nothing
 * is written); messages are deduplicated by (chat, role, content, timestamp) against the input and
 * the store, existing users, sessions and memory entries are kept as they are, so a second run adds
 * nothing; the input is only ever read. The report lists every skipped document with its reason,
 * every directory and file the layout does not use with its file count, and every file or
 * directory anyone on the machine may read or write.
 */
public final class JsonDirImporter {
    private final JsonDirMapping mapping;
    private final int batchSize;
    private final RecordLimits limits;

    /**
     * @param mapping the directory's layout
     * @param batchSize records per write
     * @param target the target store's configuration: its content and JSON limits (a record over
     *     them is skipped with the reason, so no write fails half-way)
     */
    public JsonDirImporter(JsonDirMapping mapping, int batchSize, DalConfig target) {
        this.mapping = mapping;
        this.batchSize = batchSize;
        this.limits = new RecordLimits(target);
    }

    /**
     * @param mapping the directory's layout
     * @param batchSize records per write
     * @param maxContentLength the longest message content the store accepts (longer ones are
     *     skipped); the JSON limits are the defaults
     */
    public JsonDirImporter(JsonDirMapping mapping, int batchSize, int maxContentLength) {
        this.mapping = mapping;
        this.batchSize = batchSize;
        DalConfig defaults = DalConfig.fromMap(Map.of());
        this.limits = new RecordLimits(maxContentLength, defaults.maxJsonDepth(), defaults.maxJsonBytes());
    }

    /**
     * Reads and checks the whole input; writes nothing.
     *
     * @param dir the input directory (e.g. the legacy application's {@code data/})
     * @return the checked input, to write with {@link LegacyImport#writeTo}
     * @throws ValidationException naming the file, document and field when a file is malformed
     */
    public LegacyImport read(Path dir) {
        return new LegacyImport(plan(dir), batchSize);
    }

    /**
     * Imports: {@link #read}, then {@link LegacyImport#writeTo}.
     *
     * @param dir the input directory (e.g. the legacy application's {@code data/})
     * @param store where to import
     * @return counts, skips, unused parts of the input and warnings
     * @throws ValidationException naming the file, document and field when a file is malformed;
     *     nothing is written then
     */
    public ImportReport importDirectory(Path dir, DataAccess store) {
        return read(dir).writeTo(store);
    }

    private ImportPlan plan(Path dir) {
        return new JsonDirReader(mapping, limits).read(dir);
    }
}

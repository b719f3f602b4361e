package dev.dal.migration.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.ConfigurationException;
import dev.dal.api.DataAccess;
import dev.dal.migration.ImportReport;
import dev.dal.migration.JsonDirImporter;
import dev.dal.migration.JsonDirMapping;
import dev.dal.migration.LegacyImport;
import dev.dal.migration.StoreUri;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Imports a directory of legacy JSON files (the legacy PHP chat application's layout, or another
 * through a mapping).
 */
@Command(
        name = "import-json-dir",
        description = {
            "Import a directory of legacy JSON files: the built-in layout"
                    + " (chat_sessions/ and memory/) by default, another through --mapping. Every file is checked first (a malformed one is named by path,"
                    + " document and field, and nothing is written); idempotent; messages deduplicated, order and timestamps"
                    + " kept; secrets never copied; the directory is only read. The report names every skipped document, every"
                    + " directory and file not used (with its file count) and every world-readable file. Exit status 1 when"
                    + " the directory held documents and none was imported.",
            "The target is migrated when it has no schema yet; one with an older schema is refused (exit status 3)"
                    + " unless --migrate is given. A file: target inside the directory (or holding it) is refused.",
            "",
            "The built-in layout:",
            "  DIR/chat_sessions/<chat_id>.json   a session and its messages:",
            "    {\"chat_id\": \"c-1\", \"user_id\": \"u-1\", \"title\": \"Trip\", \"profile\": \"general\",",
            "     \"metadata\": {}, \"created_at\": \"2024-01-02 10:00:00\", \"updated_at\": ...,",
            "     \"messages\": [{\"role\": \"user\", \"content\": \"Hi\", \"timestamp\": 1704189601,",
            "                   \"metadata\": {}, \"token_count\": 3, \"abuse_flagged\": false}, ...]}",
            "    (or just the list of messages; chat_id defaults to the file's name)",
            "  DIR/memory/<user_id>.json          a user, profile, preferences, memory by type:",
            "    {\"user_id\": \"u-1\", \"email\": ..., \"name\": ..., \"profile\": {}, \"preferences\": {},",
            "     \"created_at\": ..., \"updated_at\": ..., \"last_active_at\": ...,",
            "     \"memory\": {\"context\": {\"city\": \"Lisbon\"}, \"facts\": {\"pets\": [\"cat\"]}}}",
            "    (user_id defaults to the file's name and becomes the user's externalId)",
            "  Other fields go under \"legacy\" in metadata or profile. Timestamps: ISO-8601 (zone or none = UTC,",
            "  space or T) or epoch seconds/milliseconds.",
            "",
            "Mapping file (JSON, every entry optional):",
            "  {\"sessions\": {\"directory\": \"chats\", \"messages\": \"history\",",
            "                \"fields\": {\"chat_id\": \"$docId\", \"user_id\": \"owner\"}},",
            "   \"messages\": {\"fields\": {\"content\": \"text\", \"timestamp\": \"/meta/time\"}},",
            "   \"users\": {\"directory\": null}, \"roles\": {\"model\": \"assistant\"}, \"secrets\": [\"pin\"],",
            "   \"timestamps\": {\"format\": \"dd/MM/yyyy HH:mm\", \"zone\": \"Europe/Berlin\"}}"
        })
final class ImportJsonDirCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--to", paramLabel = "STORE", description = "Store URI; default: the environment's store.")
    String to;

    @Option(
            names = "--mapping",
            paramLabel = "FILE",
            description = "The directory's layout (JSON); default: the built-in layout.")
    Path mapping;

    @Option(
            names = "--migrate",
            description = "Bring the target's schema up to date when it is older than"
                    + " this tool's (without it such a target is refused). A target with no schema at all is migrated"
                    + " either way.")
    boolean migrate;

    @Option(names = "--batch", paramLabel = "N", description = "Records per write (default MIGRATION_BATCH_SIZE).")
    Integer batch;

    @Parameters(index = "0", paramLabel = "DIR", description = "The directory, e.g. the legacy application's data/.")
    Path dir;

    @Override
    public Integer call() {
        StoreUri target = CommonOptions.store(to);
        refuseOverlap(target);
        JsonDirMapping layout = mapping == null ? JsonDirMapping.builtIn() : JsonDirMapping.load(mapping);
        JsonDirImporter importer = new JsonDirImporter(layout, CommonOptions.batchSize(batch), target.config());
        // Read and checked before the target is set up: a bad file changes nothing, not even a new schema.
        LegacyImport input = importer.read(dir);
        try (DataAccess store = Stores.openForWriting(target, migrate)) {
            ImportReport r = input.writeTo(store);
            ObjectNode json = JsonNodeFactory.instance
                    .objectNode()
                    .put("to", target.redacted())
                    .put("dir", dir.toString());
            ImportReports.json(json, r);
            common.print(json, ImportReports.text(dir.toString(), target.toString(), r));
            return ImportReports.status(r);
        }
    }

    /** @return the path with symbolic links resolved as far as it exists, so two names of one directory match */
    private static Path real(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        for (Path p = absolute; p != null; p = p.getParent()) {
            try {
                return p.toRealPath().resolve(p.relativize(absolute));
            } catch (java.io.IOException e) {
                // not there (yet): try its parent
            }
        }
        return absolute;
    }

    /** The file store writes its own files: never into the legacy directory (which must not change). */
    private void refuseOverlap(StoreUri target) {
        if (!Stores.isFile(target)) {
            return;
        }
        Path store = real(Stores.fileStoreDir(target));
        Path source = real(dir);
        if (store.startsWith(source) || source.startsWith(store)) {
            throw new ConfigurationException("The target store " + target + " and the directory " + dir
                    + " overlap; the import never writes into its source: pass --to with a store elsewhere");
        }
    }
}

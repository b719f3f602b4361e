package dev.dal.migration.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.DataAccess;
import dev.dal.migration.ImportReport;
import dev.dal.migration.LegacyImport;
import dev.dal.migration.StoreUri;
import dev.dal.migration.TinyDbImporter;
import dev.dal.migration.TinyDbMapping;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Imports a legacy TinyDB chat file (ChatCore's layout, or another through a mapping). */
@Command(
        name = "import-tinydb",
        description = {
            "Import a legacy TinyDB chat file (ChatCore's layout, or another"
                    + " through --mapping, e.g. TinyDB's embedded style: {\"tables\": {\"conversations\": \"_default\"},"
                    + " \"fields\": {\"conversations\": {\"conversation_id\": \"$docId\"}}}). Idempotent; a malformed file"
                    + " imports nothing; the file is only read. The report names every skipped document, every table not"
                    + " read (with its document count) and a world-readable file. Exit status 1 when the file held documents"
                    + " and none was imported.",
            "The target is migrated when it has no schema yet; one with an older schema is refused (exit status 3)"
                    + " unless --migrate is given."
        })
final class ImportTinyDbCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--to", paramLabel = "STORE", description = "Store URI; default: the environment's store.")
    String to;

    @Option(names = "--mapping", paramLabel = "FILE", description = "Table and field names of the file (JSON).")
    Path mapping;

    @Option(
            names = "--migrate",
            description = "Bring the target's schema up to date when it is older than"
                    + " this tool's (without it such a target is refused). A target with no schema at all is migrated"
                    + " either way.")
    boolean migrate;

    @Option(names = "--batch", paramLabel = "N", description = "Records per write (default MIGRATION_BATCH_SIZE).")
    Integer batch;

    @Parameters(index = "0", paramLabel = "FILE.json", description = "The TinyDB file.")
    Path file;

    @Override
    public Integer call() {
        StoreUri target = CommonOptions.store(to);
        TinyDbMapping layout = mapping == null ? TinyDbMapping.defaults() : TinyDbMapping.load(mapping);
        TinyDbImporter importer = new TinyDbImporter(layout, CommonOptions.batchSize(batch), target.config());
        // Read and checked before the target is set up: a bad file changes nothing, not even a new schema.
        LegacyImport input = importer.read(file);
        try (DataAccess store = Stores.openForWriting(target, migrate)) {
            ImportReport r = input.writeTo(store);
            ObjectNode json = JsonNodeFactory.instance
                    .objectNode()
                    .put("to", target.redacted())
                    .put("file", file.toString());
            ImportReports.json(json, r);
            common.print(json, ImportReports.text(file.toString(), target.toString(), r));
            return ImportReports.status(r);
        }
    }
}

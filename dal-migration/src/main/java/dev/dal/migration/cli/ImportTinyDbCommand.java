package dev.dal.migration.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.DataAccess;
import dev.dal.migration.StoreUri;
import dev.dal.migration.TinyDbImporter;
import dev.dal.migration.TinyDbMapping;
import dev.dal.migration.TinyDbReport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Imports a legacy TinyDB chat file (seed 002). */
@Command(name = "import-tinydb", description = "Import a legacy TinyDB chat file (ChatCore's layout, or another"
        + " through --mapping). Idempotent; a malformed file imports nothing. The target is migrated when it has"
        + " no schema yet; one with an older schema is refused (exit status 3) unless --migrate is given.")
final class ImportTinyDbCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--to", paramLabel = "STORE", description = "Store URI; default: the environment's store.")
    String to;

    @Option(names = "--mapping", paramLabel = "FILE", description = "Table and field names of the file (JSON).")
    Path mapping;

    @Option(names = "--migrate", description = "Bring the target's schema up to date when it is older than"
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
        try (DataAccess store = Stores.openForWriting(target, migrate)) {
            TinyDbReport r = new TinyDbImporter(layout, CommonOptions.batchSize(batch),
                    target.config().maxContentLength()).importFile(file, store);
            ObjectNode json = JsonNodeFactory.instance.objectNode().put("to", target.redacted()).put("file", file.toString());
            json.putObject("users").put("imported", r.usersImported()).put("merged", r.usersMerged());
            json.putObject("conversations").put("imported", r.sessionsImported()).put("merged", r.sessionsMerged());
            json.putObject("messages").put("imported", r.messagesImported()).put("deduplicated", r.messagesDeduplicated());
            ArrayNode skipped = json.putArray("skipped");
            StringBuilder text = new StringBuilder(String.format("Imported %s into %s:%n  users: %d imported, %d merged"
                    + "%n  conversations: %d imported, %d merged%n  messages: %d imported, %d deduplicated%n"
                    + "  skipped: %d", file, target, r.usersImported(), r.usersMerged(), r.sessionsImported(),
                    r.sessionsMerged(), r.messagesImported(), r.messagesDeduplicated(), r.skipped().size()));
            for (TinyDbReport.Skip s : r.skipped()) {
                skipped.addObject().put("table", s.table()).put("document", s.documentId()).put("reason", s.reason());
                text.append(String.format("%n    %s %s: %s", s.table(), s.documentId(), s.reason()));
            }
            common.print(json, text.toString());
        }
        return DalCli.OK;
    }
}

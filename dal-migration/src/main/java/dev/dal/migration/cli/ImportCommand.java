package dev.dal.migration.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.DataAccess;
import dev.dal.migration.Archive;
import dev.dal.migration.RecordType;
import dev.dal.migration.StoreUri;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Restores an NDJSON archive into a store. */
@Command(
        name = "import",
        description = {
            "Restore a dal export archive into a store; the whole archive is checked"
                    + " before any record is written.",
            "The target is migrated when it has no schema yet (a new, empty database); one with an older schema"
                    + " is refused (exit status 3) unless --migrate is given."
        })
final class ImportCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--to", paramLabel = "STORE", description = "Store URI; default: the environment's store.")
    String to;

    @Option(names = "--in", required = true, paramLabel = "FILE", description = "The archive to read.")
    Path in;

    @Option(
            names = "--migrate",
            description = "Bring the target's schema up to date when it is older than"
                    + " this tool's (without it such a target is refused). A target with no schema at all is migrated"
                    + " either way.")
    boolean migrate;

    @Option(names = "--batch", paramLabel = "N", description = "Records per write (default MIGRATION_BATCH_SIZE).")
    Integer batch;

    @Override
    public Integer call() {
        StoreUri target = CommonOptions.store(to);
        Archive.check(
                in); // before the target is set up (a new database gets its schema): a bad archive changes nothing
        try (DataAccess store = Stores.openForWriting(target, migrate)) {
            Map<RecordType, Long> counts = Archive.importInto(in, store, CommonOptions.batchSize(batch));
            common.print(
                    countsJson(
                            JsonNodeFactory.instance
                                    .objectNode()
                                    .put("to", target.redacted())
                                    .put("in", in.toString()),
                            counts),
                    "Imported " + in + " into " + target + ": " + countsText(counts));
        }
        return DalCli.OK;
    }

    static ObjectNode countsJson(ObjectNode into, Map<RecordType, Long> counts) {
        ObjectNode node = into.putObject("counts");
        counts.forEach((kind, n) -> node.put(kind.wireName(), n));
        return into;
    }

    static String countsText(Map<RecordType, Long> counts) {
        StringBuilder text = new StringBuilder();
        for (RecordType kind : RecordType.values()) {
            text.append(text.length() == 0 ? "" : ", ")
                    .append(counts.get(kind))
                    .append(" ")
                    .append(kind.wireName());
        }
        return text.toString();
    }
}
